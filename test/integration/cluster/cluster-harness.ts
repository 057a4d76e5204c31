/**
 * The cluster test's set-up: three instances of the real tool (src/main.ts in child processes,
 * as `npm start` runs it) on one database, Debian's nginx in front of them with the shipped
 * deploy/nginx/attendance.conf over TLS, and the mock LMS registered through PLATFORMS_FILE
 * with the proxy's https URL as the tool's address.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { freePort, spawnTool, waitForOk, type ChildTool } from '../../support/child-tool';
import { MockLms } from '../../support/mock-lms';
import { testMongoUri } from '../../support/test-db';
import { startNginx, type RunningNginx } from './nginx';
import { makeCertificate, trustCertificateForFetch, type Certificate } from './tls';

export const ADMIN_TOKEN = 'cluster-test-admin-token-0123456789';

export interface Instance {
  port: number;
  /** Direct address, bypassing the proxy (health checks, "on one instance"). */
  url: string;
  /** What nginx's $upstream_addr names it. */
  upstream: string;
  tool: ChildTool;
}

export interface Cluster {
  dir: string;
  dbName: string;
  cert: Certificate;
  /** The proxy in front of all instances: PUBLIC_URL of every instance. */
  url: string;
  /** Same nginx, an upstream of only the first instance (the 1-instance throughput run). */
  oneUrl: string;
  /** The plain-HTTP redirect server. */
  httpUrl: string;
  instances: Instance[];
  nginx: RunningNginx;
  lms: MockLms;
  /** A browser-like cookie jar bound to the proxy, trusting its certificate. */
  agent(base?: string): supertest.Agent;
  /** Another mock LMS pointing at the proxy (not registered). */
  extraLms(): Promise<MockLms>;
  stop(): Promise<void>;
}

export async function startCluster(opts: { dbName: string; instances: number; env: NodeJS.ProcessEnv }): Promise<Cluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'la-cluster-'));
  const started: { lms: MockLms[]; tools: ChildTool[]; nginx?: RunningNginx; untrust?: () => Promise<void> } = { lms: [], tools: [] };
  const stop = async () => {
    for (const t of started.tools) if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGKILL');
    await started.nginx?.stop();
    for (const l of started.lms) await l.stop().catch(() => undefined);
    await started.untrust?.();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const cert = makeCertificate(dir);
    started.untrust = await trustCertificateForFetch(cert.pem);
    const [httpsPort, onePort, httpPort, oneHttpPort] = (await distinctPorts(4)) as [number, number, number, number];
    const ports = await distinctPorts(opts.instances, [httpsPort, onePort, httpPort, oneHttpPort]);
    const url = `https://127.0.0.1:${httpsPort}`;
    const lms = await MockLms.start({ toolUrl: url });
    started.lms.push(lms);
    const platformsFile = path.join(dir, 'platforms.json');
    await writeFile(platformsFile, JSON.stringify({ platforms: [lms.registration()] }));

    const ltiKey = randomBytes(32).toString('hex');
    const instances: Instance[] = [];
    for (const [i, port] of ports.entries()) {
      // Each instance its own DATA_DIR: nothing is shared through the disk, only the database.
      const dataDir = path.join(dir, `data-${i}`);
      await mkdir(dataDir);
      const tool = spawnTool({
        ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url,
        MONGODB_URI: testMongoUri(), MONGODB_DB: opts.dbName, LTI_KEY: ltiKey, PLATFORMS_FILE: platformsFile, DATA_DIR: dataDir,
        TRUST_PROXY: 'loopback', ADMIN_TOKEN, LOG_LEVEL: 'info', ...opts.env,
      });
      started.tools.push(tool);
      instances.push({ port, url: `http://127.0.0.1:${port}`, upstream: `127.0.0.1:${port}`, tool });
    }
    await Promise.all(instances.map((inst) => waitForOk(inst.tool, inst.url, '/readyz')));

    const common = { certFile: cert.certFile, keyFile: cert.keyFile, showUpstream: true };
    started.nginx = await startNginx(dir, [
      { ...common, upstreamName: 'attendance_all', instancePorts: ports, httpsPort, httpPort },
      { ...common, upstreamName: 'attendance_one', instancePorts: ports.slice(0, 1), httpsPort: onePort, httpPort: oneHttpPort },
    ]);
    const agent = (base = url) => supertest.agent(base).ca(cert.pem);
    await waitForProxy(agent, started.nginx);
    return {
      dir, dbName: opts.dbName, cert, url, oneUrl: `https://127.0.0.1:${onePort}`, httpUrl: `http://127.0.0.1:${httpPort}`,
      instances, nginx: started.nginx, lms, agent,
      extraLms: async () => {
        const other = await MockLms.start({ toolUrl: url });
        started.lms.push(other);
        return other;
      },
      stop,
    };
  } catch (err) {
    const logs = started.tools.map((t, i) => `--- instance ${i}:\n${t.output().slice(-3000)}`).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

async function distinctPorts(n: number, taken: number[] = []): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!taken.includes(p) && !out.includes(p)) out.push(p);
  }
  return out;
}

async function waitForProxy(agent: (base?: string) => supertest.Agent, nginx: RunningNginx): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const ok = await agent().get('/healthz').then((r) => r.status === 200, () => false);
    if (ok) return;
    if (nginx.process.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not answer: ${nginx.errorLog()}`);
}
