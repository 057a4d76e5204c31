/**
 * Debian's nginx for the cluster test: renders the shipped site file deploy/nginx/attendance.conf
 * with the test's ports and certificate, and runs nginx as the test's own user in a temporary
 * prefix (its pid, logs and temp files there), listening on 127.0.0.1 only.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const NGINX = '/usr/sbin/nginx';
export const SHIPPED_CONFIG = path.resolve(__dirname, '..', '..', '..', 'deploy', 'nginx', 'attendance.conf');

/** Fails loudly (never skips) when nginx is missing: .ci/run installs it. */
export function requireNginx(): void {
  if (!existsSync(NGINX)) {
    throw new Error(`The cluster test runs Debian's nginx, and ${NGINX} is missing: apt-get install -y nginx-light (or nginx); .ci/run does this on a fresh machine.`);
  }
}

export interface SiteOptions {
  /** The name the upstream block gets (two rendered sites in one nginx need two names). */
  upstreamName: string;
  /** Ports of the instances on 127.0.0.1. */
  instancePorts: number[];
  httpsPort: number;
  /** Port of the plain-HTTP redirect server. */
  httpPort: number;
  certFile: string;
  keyFile: string;
  /** Switch on the commented `add_header X-Upstream` line. */
  showUpstream: boolean;
}

/** Replaces `pattern` in `text`, insisting on exactly `count` matches, so a change to the shipped file cannot silently leave it half-rendered. */
function replaceExactly(text: string, pattern: RegExp, replacement: string | ((m: string) => string), count: number, what: string): string {
  const found = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))?.length ?? 0;
  if (found !== count) throw new Error(`rendering ${SHIPPED_CONFIG}: expected ${count} × ${what}, found ${found}`);
  return text.replace(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`), replacement as string);
}

/** The shipped site file with the test's values in place of the example ones; nothing else changes. */
export function renderSite(template: string, o: SiteOptions): string {
  let s = template;
  const params = /server 10\.0\.0\.11:3000( [^;]*);/.exec(s)?.[1] ?? '';
  const servers = o.instancePorts.map((p) => `server 127.0.0.1:${p}${params};`).join('\n    ');
  s = replaceExactly(s, /server 10\.0\.0\.11:3000[^;]*;/, servers, 1, 'the first upstream server');
  s = replaceExactly(s, /\n\s*server 10\.0\.0\.1[23]:3000[^;]*;/, '', 2, 'the other example upstream servers');
  s = replaceExactly(s, /attendance_backend/, o.upstreamName, 3, 'the upstream name');
  s = replaceExactly(s, /\n\s*listen \[::\]:\d+[^;]*;/, '', 2, 'the IPv6 listen lines');
  s = replaceExactly(s, /listen 80;/, `listen 127.0.0.1:${o.httpPort};`, 1, 'listen 80');
  s = replaceExactly(s, /listen 443 ssl http2;/, `listen 127.0.0.1:${o.httpsPort} ssl http2;`, 1, 'listen 443');
  s = replaceExactly(s, /ssl_certificate\s+\S+;/, `ssl_certificate ${o.certFile};`, 1, 'ssl_certificate');
  s = replaceExactly(s, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${o.keyFile};`, 1, 'ssl_certificate_key');
  if (o.showUpstream) s = replaceExactly(s, /# add_header X-Upstream/, 'add_header X-Upstream', 1, 'the X-Upstream line');
  return s;
}

export interface RunningNginx {
  process: ChildProcess;
  errorLog(): string;
  stop(): Promise<void>;
}

/** Writes the main configuration (including the rendered sites) into `dir` and starts nginx in the foreground. */
export async function startNginx(dir: string, sites: SiteOptions[]): Promise<RunningNginx> {
  requireNginx();
  const template = readFileSync(SHIPPED_CONFIG, 'utf8');
  const includes: string[] = [];
  for (const site of sites) {
    const file = path.join(dir, `site-${site.upstreamName}.conf`);
    await writeFile(file, renderSite(template, site));
    includes.push(`    include ${file};`);
  }
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  for (const t of temp) await mkdir(path.join(dir, `${t}_temp`), { recursive: true });
  const errorLog = path.join(dir, 'nginx-error.log');
  // As root nginx would hand its workers to "nobody", who cannot use this private directory:
  // the workers run as the user who runs the test, like the master.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  const main = `${user}worker_processes 1;
events { worker_connections 2048; }
http {
    access_log off;
    default_type application/octet-stream;
${temp.map((t) => `    ${t}_temp_path ${path.join(dir, `${t}_temp`)};`).join('\n')}
${includes.join('\n')}
}
`;
  const conf = path.join(dir, 'nginx.conf');
  await writeFile(conf, main);
  const globals = `daemon off; master_process on; pid ${path.join(dir, 'nginx.pid')}; error_log ${errorLog} warn;`;
  const args = ['-p', dir, '-e', errorLog, '-c', conf, '-g', globals];
  // -t first: a configuration error is reported with nginx's own message.
  try {
    execFileSync(NGINX, [...args, '-t'], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`nginx refused the rendered configuration: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }
  const child = spawn(NGINX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readLog = () => `${output}${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}`;
  return {
    process: child,
    errorLog: readLog,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT'); // graceful: workers finish what they serve
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
