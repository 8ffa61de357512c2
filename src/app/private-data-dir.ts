import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The mode of the data directory: only Tailor's user may list, read or enter it. */
export const PRIVATE_DIR_MODE = 0o700;
/** The mode of every file Tailor keeps there (database, WAL, keys, state). */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes the data directory private: creates it 0700, and tightens an existing one (and the
 * regular files directly in it: SQLite's database, `-wal` and `-shm`, the keys file) when group
 * or others have any access, as directories made by older Tailors (0755, files 0644) do.
 * Returns what it tightened, for the start log. Never loosens a stricter mode.
 */
export async function makeDataDirPrivate(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tightened: string[] = [];
  const tighten = async (path: string, mode: number): Promise<void> => {
    const current = (await stat(path)).mode & 0o777;
    if ((current & 0o077) === 0) return;
    await chmod(path, current & mode);
    tightened.push(path);
  };
  await tighten(dir, PRIVATE_DIR_MODE);
  for (const entry of await readdir(dir, { withFileTypes: true }))
    if (entry.isFile()) await tighten(join(dir, entry.name), PRIVATE_FILE_MODE);
  return tightened;
}
