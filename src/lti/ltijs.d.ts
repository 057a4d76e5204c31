// Minimal typings for the parts of ltijs 5.9 we use (@types/ltijs describes the old v4 API).
declare module 'ltijs' {
  import type { Express, NextFunction, Request, Response } from 'express';

  type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
  type TokenHandler = (token: unknown, req: Request, res: Response, next: NextFunction) => unknown;

  interface LtijsPlatform {
    platformActive(active?: boolean): Promise<boolean>;
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
    setup(key: string, database: { url: string; connection?: Record<string, unknown> }, options?: ProviderOptions): ProviderType;
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
    deletePlatform(url: string, clientId: string): Promise<boolean>;
    /**
     * NRPS (Services/NamesAndRoles.js). The token only needs `iss`, `clientId` and
     * `platformContext.namesRoles.context_memberships_url` (`platformContext.resource.id` with
     * `resourceLinkId: true`). `pages: false` follows every `Link: rel="next"`; `role`/`limit`
     * replace any query already on the URL. Rejects with Error('PLATFORM_NOT_FOUND' |
     * 'PLATFORM_NOT_ACTIVATED'), got's HTTPError/RequestError, or a JSON SyntaxError.
     */
    NamesAndRoles: {
      getMembers(
        token: {
          iss: string;
          clientId: string;
          platformContext: { namesRoles: { context_memberships_url: string }; resource?: { id: string } };
        },
        options?: { role?: string; limit?: number; pages?: number | false; url?: string; resourceLinkId?: boolean },
      ): Promise<{ id?: string; context?: Record<string, unknown>; members?: unknown[]; next?: string; differences?: string }>;
    };
  }

  export const Provider: ProviderType;
}
