import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The data directory holds the embedded database (check-in passwords, every record), the
 * development LTI key and the stand-in's log: only the tool's own user may read it. New files
 * get 0600 and folders 0700 through the process's umask (inherited by the embedded database
 * server we spawn, whose files we do not create ourselves); files an older version left readable
 * are tightened once at start-up. Symbolic links are left alone (never followed).
 */
export const PRIVATE_UMASK = 0o077;

export function securePrivateTree(dir: string): number {
  let tightened = 0;
  const visit = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) {
      chmodSync(p, st.isDirectory() ? 0o700 : 0o600);
      tightened++;
    }
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return tightened;
}

/** Sets the umask for everything the tool writes from now on, creates the folder 0700, tightens old files. */
export function prepareDataDir(dataDir: string): { tightened: number } {
  process.umask(PRIVATE_UMASK);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return { tightened: securePrivateTree(dataDir) };
}
