import { PlatformRegistry } from '../../../src/platforms/platform-registry';
import type { PlatformRecord } from '../../../src/platforms/platform.service';

function platform(overrides: Partial<PlatformRecord> = {}): PlatformRecord {
  return {
    issuer: 'https://moodle.example.edu',
    clientId: 'client-1',
    name: 'Moodle',
    authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
    tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
    jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
    deploymentIds: [],
    status: 'active',
    source: 'file',
    ...overrides,
  };
}

/** A registry over an in-memory list; `loads` counts how often it read the "database". */
function registryOver(...snapshots: PlatformRecord[][]) {
  const state = { loads: 0 };
  const load = async () => {
    const snapshot = snapshots[Math.min(state.loads, snapshots.length - 1)] ?? [];
    state.loads += 1;
    return snapshot;
  };
  return { registry: new PlatformRegistry(load), state };
}

describe('platform registry', () => {
  describe('frame ancestors (who may show the tool in an iframe)', () => {
    it('when nothing is loaded yet, then no origin may frame the tool', () => {
      expect(registryOver([platform()]).registry.frameAncestors()).toEqual([]);
    });

    it('when registrations are active, then their issuer and login origins are listed once each, sorted', async () => {
      const { registry } = registryOver([
        platform({ issuer: 'https://moodle.example.edu', authUrl: 'https://moodle.example.edu/mod/lti/auth.php' }),
        platform({ clientId: 'client-2', issuer: 'https://moodle.example.edu', authUrl: 'https://moodle.example.edu:8443/auth' }),
        platform({ issuer: 'https://canvas.instructure.com', clientId: '10000000000001', authUrl: 'https://sso.canvaslms.com/api/lti/authorize_redirect' }),
      ]);
      await registry.refresh();
      expect(registry.frameAncestors()).toEqual([
        'https://canvas.instructure.com',
        'https://moodle.example.edu',
        'https://moodle.example.edu:8443',
        'https://sso.canvaslms.com',
      ]);
    });

    it('when a registration is pending, then its origins are not listed', async () => {
      const { registry } = registryOver([
        platform(),
        platform({ issuer: 'https://pending.example.edu', authUrl: 'https://pending-login.example.edu/auth', status: 'pending' }),
      ]);
      await registry.refresh();
      expect(registry.frameAncestors()).toEqual(['https://moodle.example.edu']);
    });

    it('when an issuer has a path, then only its origin is listed', async () => {
      const { registry } = registryOver([platform({ issuer: 'https://lms.example.edu/tenant/a/', authUrl: 'https://lms.example.edu/auth?x=1' })]);
      await registry.refresh();
      expect(registry.frameAncestors()).toEqual(['https://lms.example.edu']);
    });
  });

  describe('checkDeployment', () => {
    it('when the registration lists no deployments, then every deployment is allowed', async () => {
      const { registry } = registryOver([platform({ deploymentIds: [] })]);
      await registry.refresh();
      await expect(registry.checkDeployment('https://moodle.example.edu', 'client-1', 'any')).resolves.toBe('allowed');
    });

    it('when the deployment is listed, then it is allowed; otherwise it is refused', async () => {
      const { registry } = registryOver([platform({ deploymentIds: ['1', '7'] })]);
      await registry.refresh();
      await expect(registry.checkDeployment('https://moodle.example.edu', 'client-1', '7')).resolves.toBe('allowed');
      await expect(registry.checkDeployment('https://moodle.example.edu', 'client-1', '2')).resolves.toBe('deployment_not_allowed');
    });

    it('when the issuer is known but the client id is not, then the platform is unknown', async () => {
      const { registry } = registryOver([platform()]);
      await registry.refresh();
      await expect(registry.checkDeployment('https://moodle.example.edu', 'client-9', '1')).resolves.toBe('unknown_platform');
    });

    it('when the issuer differs only by a trailing slash, then it is a different platform', async () => {
      const { registry } = registryOver([platform()]);
      await registry.refresh();
      await expect(registry.checkDeployment('https://moodle.example.edu/', 'client-1', '1')).resolves.toBe('unknown_platform');
    });

    it('when the platform is known, then no reload happens', async () => {
      const { registry, state } = registryOver([platform()]);
      await registry.refresh();
      await registry.checkDeployment('https://moodle.example.edu', 'client-1', '1');
      expect(state.loads).toBe(1);
    });

    it('when the platform is unknown, then the registrations are reloaded exactly once', async () => {
      const { registry, state } = registryOver([platform()]);
      await registry.refresh();
      await expect(registry.checkDeployment('https://unknown.example.edu', 'client-1', '1')).resolves.toBe('unknown_platform');
      expect(state.loads).toBe(2);
    });

    it('when another process registered the platform a moment ago, then the reload finds it', async () => {
      const newcomer = platform({ issuer: 'https://new.example.edu', clientId: 'fresh', deploymentIds: ['3'] });
      const { registry, state } = registryOver([platform()], [platform(), newcomer]);
      await registry.refresh();
      await expect(registry.checkDeployment('https://new.example.edu', 'fresh', '3')).resolves.toBe('allowed');
      expect(state.loads).toBe(2);
      expect(registry.frameAncestors()).toContain('https://new.example.edu');
    });
  });

  it('when started, then it loads at once and stop() ends the periodic refresh', async () => {
    jest.useFakeTimers();
    try {
      let loads = 0;
      const registry = new PlatformRegistry(async () => {
        loads += 1;
        return [platform()];
      }, 1000);
      await registry.start(() => undefined);
      expect(loads).toBe(1);
      await jest.advanceTimersByTimeAsync(1000);
      expect(loads).toBe(2);
      registry.stop();
      await jest.advanceTimersByTimeAsync(5000);
      expect(loads).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
