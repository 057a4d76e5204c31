/**
 * Issue #16 item 6: Docker cannot run on the CI machine, so the Dockerfile and the systemd unit
 * are checked against what CI does run: the same install, build and start commands
 * (test/support/deploy-commands.ts, which production-database.test.ts builds and starts the tool
 * with), and against .ci/run's install step.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeNginxConf } from '../../support/compose-nginx';
import { BUILD, INSTALL, START } from '../../support/deploy-commands';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Array<[string, string]> {
  return text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => { const i = l.indexOf(' '); return [l.slice(0, i).toUpperCase(), l.slice(i + 1).trim()] as [string, string]; });
}

describe('the deployment files say what CI runs', () => {
  it('when the Dockerfile builds, then it installs and builds with exactly the commands CI uses, and starts the built server directly', () => {
    const steps = instructions(read('Dockerfile'));
    const runs = steps.filter(([op]) => op === 'RUN').map(([, arg]) => arg);
    expect(runs).toEqual(expect.arrayContaining([INSTALL, BUILD]));
    expect(runs.indexOf(INSTALL)).toBeLessThan(runs.indexOf(BUILD));
    const cmd = steps.filter(([op]) => op === 'CMD').map(([, arg]) => arg);
    expect(cmd).toEqual([JSON.stringify(START).replace(/","/g, '", "')]);
    // Production settings the image sets, and a health check on the liveness endpoint.
    expect(steps).toContainEqual(['ENV', expect.stringContaining('NODE_ENV=production')]);
    expect(steps.find(([op]) => op === 'HEALTHCHECK')?.[1]).toContain('/healthz');
  });

  it('when CI installs, then it uses the same install command as the Dockerfile', () => {
    expect(read('.ci/run').split('\n').map((l) => l.trim())).toContain(INSTALL);
  });

  it('when systemd starts the service, then it runs the built server directly with production settings, and never restarts on a configuration error', () => {
    const unit = read('deploy/systemd/lti-attendance.service');
    const value = (key: string) => unit.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
    expect(value('ExecStart')).toBe(`/usr/bin/${START.join(' ')}`);
    expect(value('Environment')).toContain('NODE_ENV=production');
    expect(value('KillSignal')).toBe('SIGTERM');
    expect(value('RestartPreventExitStatus')).toBe('78');
    expect(unit).toContain(`${INSTALL} && ${BUILD}`);
  });

  it('when npm start is used, then it builds and runs the same file', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(START.join(' '));
    expect(`npm run ${scripts.prestart?.replace(/^npm run /, '')}`).toBe(BUILD);
  });

  it('when compose runs the stack, then the instances are the Dockerfile image on a replica set behind nginx, in production', () => {
    const compose = read('deploy/docker/compose.yaml');
    expect(compose).toContain('build: { context: ../.., dockerfile: Dockerfile }');
    // The image's own CMD starts the tool: no service overrides it.
    expect(compose).not.toMatch(/^\s+command:.*node/m);
    expect(compose).toContain('NODE_ENV: production');
    expect(compose).toMatch(/MONGODB_URI: mongodb:\/\/mongo1:27017,mongo2:27017,mongo3:27017\/\?replicaSet=rs0/);
    expect(compose.match(/^ {2}app\d: \{ <<: \*app \}$/gm)).toHaveLength(2);
    expect(compose).toContain('./nginx.conf:/etc/nginx/conf.d/default.conf:ro');
  });

  it('when compose runs nginx, then its config is the shipped nginx config with the compose names, nothing else', () => {
    expect(read('deploy/docker/nginx.conf')).toBe(composeNginxConf(read('deploy/nginx/attendance.conf')));
    expect(read('deploy/docker/nginx.conf')).toContain('server app2:3000');
  });
});
