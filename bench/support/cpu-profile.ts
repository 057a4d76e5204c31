/**
 * Where a .cpuprofile (V8 sampling profile) spends its time: self time by function and by
 * package (node_modules/<name>, our src/<folder>, node internals), so a benchmark can print it.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface ProfileSummary {
  totalMs: number;
  byFunction: Array<{ name: string; ms: number }>;
  byPackage: Array<{ name: string; ms: number }>;
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (mod?.[1]) return mod[1];
  const ours = /\/(src|config)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\//, '');
}

const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: us / 1000 }));

export async function summarizeProfile(file: string, n = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Stopping the profiler and answering over IPC happen inside the profile: not the tool's work.
  const harness = (id: number): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) if (byId.get(cur)?.callFrame.url.includes('bench/support/')) return true;
    return false;
  };
  const callers = (id: number): string => {
    const names: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && names.length < 2; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (frame?.url) names.push(`${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${frame.lineNumber + 1}`);
    }
    return names.length > 0 ? `< ${names.join(' < ')}` : '';
  };
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)' || harness(id)) return;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url.replace(/^.*\/(node_modules|src)\//, '$1/');
    // A native frame ("init", "writeBuffer") says little alone: name the JS frames that called it.
    const name = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : callers(id)}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    const p = packageOf(url, functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  });
  return { totalMs: total / 1000, byFunction: top(fn, n), byPackage: top(pkg, n) };
}
