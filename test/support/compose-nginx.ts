/**
 * deploy/docker/nginx.conf is deploy/nginx/attendance.conf with the compose stack's names: the
 * two app services as the upstream, and the certificates mounted at /etc/nginx/certs. This is
 * the one transformation (deploy-files.test.ts checks the committed file is its result), so the
 * compose proxy never drifts from the one the cluster test runs.
 */
export function composeNginxConf(shipped: string): string {
  const lines = shipped.split('\n');
  const out: string[] = [
    '# GENERATED from deploy/nginx/attendance.conf by test/support/compose-nginx.ts for',
    '# deploy/docker/compose.yaml (two app services, certificates in ./certs). Edit the original;',
    '# `npx ts-node --transpile-only test/support/compose-nginx.ts` writes this file again.',
  ];
  let upstreamDone = false;
  for (const line of lines) {
    if (/^\s+server 10\.0\.0\.\d+:3000 /.test(line)) {
      if (!upstreamDone) out.push('    server app1:3000 max_fails=1 fail_timeout=10s;', '    server app2:3000 max_fails=1 fail_timeout=10s;');
      upstreamDone = true;
      continue;
    }
    out.push(line
      .replace('/etc/ssl/certs/attendance.example.edu.pem', '/etc/nginx/certs/fullchain.pem')
      .replace('/etc/ssl/private/attendance.example.edu.key', '/etc/nginx/certs/privkey.pem'));
  }
  return out.join('\n');
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readFileSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('node:path') as typeof import('node:path');
  const root = path.resolve(__dirname, '..', '..');
  writeFileSync(path.join(root, 'deploy/docker/nginx.conf'), composeNginxConf(readFileSync(path.join(root, 'deploy/nginx/attendance.conf'), 'utf8')));
}
