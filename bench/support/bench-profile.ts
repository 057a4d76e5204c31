/** Prints the summary of a CPU profile the tool child wrote (BENCH_PROFILE=<dir>). */
import { summarizeProfile } from './cpu-profile';

export async function printProfile(file: string, what: string): Promise<void> {
  const s = await summarizeProfile(file);
  console.log(`\nCPU profile of the tool during ${what} (${file}): ${s.totalMs.toFixed(0)} ms sampled, self time`);
  console.log('  by package:  ' + s.byPackage.map((p) => `${p.name} ${((100 * p.ms) / s.totalMs).toFixed(1)}%`).join(', '));
  for (const f of s.byFunction) console.log(`  ${((100 * f.ms) / s.totalMs).toFixed(1).padStart(5)}%  ${f.name}`);
  console.log('');
}
