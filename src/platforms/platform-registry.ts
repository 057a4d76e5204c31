import type { PlatformRecord } from './platform.service';

/**
 * An in-memory snapshot of the registrations for the two per-request questions that must not
 * cost a database round trip: which origins may frame us (CSP frame-ancestors) and whether a
 * launch's deployment is allowed. Refreshed periodically and after every change, so several
 * app instances converge within `refreshMs`.
 */
export class PlatformRegistry {
  private platforms: PlatformRecord[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly load: () => Promise<PlatformRecord[]>,
    private readonly refreshMs = 30_000,
  ) {}

  async refresh(): Promise<void> {
    this.platforms = await this.load();
  }

  async start(onError: (err: unknown) => void): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => this.refresh().catch(onError), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Origins of every active registration's issuer and login endpoint. */
  frameAncestors(): string[] {
    const origins = new Set<string>();
    for (const p of this.platforms) {
      if (p.status !== 'active') continue;
      for (const u of [p.issuer, p.authUrl]) {
        try {
          origins.add(new URL(u).origin);
        } catch {
          /* validated on input; ignore anything odd */
        }
      }
    }
    return [...origins].sort();
  }

  /**
   * 'allowed' | 'deployment_not_allowed' | 'unknown_platform'. An unknown platform triggers
   * one refresh first: it may have been registered a moment ago by another process.
   */
  async checkDeployment(issuer: string, clientId: string, deploymentId: string): Promise<'allowed' | 'deployment_not_allowed' | 'unknown_platform'> {
    let platform = this.find(issuer, clientId);
    if (!platform) {
      await this.refresh();
      platform = this.find(issuer, clientId);
    }
    if (!platform) return 'unknown_platform';
    if (platform.deploymentIds.length > 0 && !platform.deploymentIds.includes(deploymentId)) return 'deployment_not_allowed';
    return 'allowed';
  }

  /**
   * Whether a login names a registration (any status): issuer and client id, or the issuer alone
   * (ltijs then takes that issuer's first registration). `refresh` re-reads the registrations
   * first when the snapshot does not know it (another process may have just added it).
   */
  async knowsLogin(issuer: string, clientId: string | undefined, refresh = false): Promise<boolean> {
    const known = () => this.platforms.some((p) => p.issuer === issuer && (clientId === undefined || p.clientId === clientId));
    if (known() || !refresh) return known();
    await this.refresh();
    return known();
  }

  private find(issuer: string, clientId: string): PlatformRecord | undefined {
    return this.platforms.find((p) => p.issuer === issuer && p.clientId === clientId);
  }
}
