// Minimal typings for the parts of ltijs 5.9 we use (@types/ltijs describes the old v4 API).
declare module 'ltijs' {
  import type { Express, NextFunction, Request, Response } from 'express';

  type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
  type TokenHandler = (token: unknown, req: Request, res: Response, next: NextFunction) => unknown;

  interface LtijsPlatform {
    platformActive(active?: boolean): Promise<boolean>;
    /**
     * An OAuth2 access token for these space-separated scopes: cached in ltijs's database per
     * (issuer, client id, exact scope string) until `expires_in`, else requested from the LMS
     * token endpoint with a signed client_assertion (got 11: rejects with HTTPError/RequestError).
     */
    platformAccessToken(scopes: string): Promise<{ access_token: string; token_type: string; expires_in?: number; scope?: string }>;
  }

  interface ProviderOptions {
    appRoute?: string;
    loginRoute?: string;
    keysetRoute?: string;
    dynRegRoute?: string;
    cors?: boolean;
    serverAddon?: (app: Express) => void;
    cookies?: { secure?: boolean; sameSite?: string; domain?: string };
    devMode?: boolean;
    tokenMaxAge?: number | false;
  }

  interface ProviderType {
    app: Express;
    setup(key: string, database: { url: string; connection?: Record<string, unknown> } | { plugin: unknown }, options?: ProviderOptions): ProviderType;
    deploy(options: { serverless: true; silent?: boolean }): Promise<true>;
    close(options?: { silent?: boolean }): Promise<true>;
    onConnect(cb: TokenHandler): true;
    onDeepLinking(cb: TokenHandler): true;
    onInvalidToken(cb: Handler): true;
    onSessionTimeout(cb: Handler): true;
    onUnregisteredPlatform(cb: Handler): true;
    onInactivePlatform(cb: Handler): true;
    whitelist(...routes: Array<string | RegExp | { route: string | RegExp; method: string }>): unknown;
    registerPlatform(platform: {
      url: string;
      name: string;
      clientId: string;
      authenticationEndpoint: string;
      accesstokenEndpoint: string;
      authConfig: { method: 'JWK_SET' | 'JWK_KEY' | 'RSA_KEY'; key: string };
    }): Promise<LtijsPlatform>;
    getPlatform(url: string, clientId: string): Promise<LtijsPlatform | false>;
    /** ltijs's own database; we only delete a cached access token the LMS no longer accepts. */
    Database: {
      Delete(collection: 'accesstoken', query: { platformUrl: string; clientId: string; scopes: string }): Promise<boolean>;
    };
    /**
     * Deep Linking (Services/DeepLinking.js). `idtoken` is res.locals.token of a deep-linking
     * launch (its `platformContext.deepLinkingSettings` gives the return URL and `data`, echoed).
     * Signs an LtiDeepLinkingResponse with the registration's tool key (RS256, kid, 60 s expiry);
     * items whose type the LMS did not accept are dropped silently. Rejects with
     * Error('PLATFORM_NOT_FOUND' | 'PLATFORM_NOT_ACTIVATED' | 'MISSING_DEEP_LINK_SETTINGS').
     * Its errMessage option writes a claim key with a trailing space (upstream bug): not typed here.
     */
    DeepLinking: {
      createDeepLinkingMessage(
        idtoken: unknown,
        contentItems: Array<Record<string, unknown>>,
        options?: { message?: string; log?: string },
      ): Promise<string>;
    };
    deletePlatform(url: string, clientId: string): Promise<boolean>;
  }

  export const Provider: ProviderType;
}
