// Every file the lab writes or removes goes through here: the path must lie inside one of the lab's
// own directories, and no symlink on the way (planted by a program the lab runs as root, say) is followed.

import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, rename, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A path the lab refused to touch, and why. */
export class ConfinementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfinementError';
  }
}

/**
 * `path` resolved, after checking it lies strictly inside `root` (both absolute). The check is on
 * the resolved text, so `..` cannot climb out; symlinks are dealt with by the operations below.
 */
export function confine(root: string, path: string): string {
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (!isAbsolute(root) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ConfinementError(`refusing to touch ${JSON.stringify(path)}: it is not inside ${root}`);
  }
  return full;
}

/** The root and every directory from it down to `path`'s parent (or to `path` itself with `self`). */
function chain(root: string, path: string, self: boolean): string[] {
  const rel = relative(root, path);
  const parts = rel === '' ? [] : rel.split(sep);
  if (!self) parts.pop();
  const dirs = [root];
  for (const part of parts) dirs.push(join(dirs.at(-1)!, part));
  return dirs;
}

/** Throws when an existing directory on the way to `path` is a symlink or not a directory. */
async function checkChain(root: string, path: string): Promise<void> {
  for (const dir of chain(root, path, false)) {
    const info = await lstat(dir).catch(() => undefined);
    if (!info) return;
    if (info.isSymbolicLink()) throw new ConfinementError(`refusing to follow the symlink ${dir}`);
    if (!info.isDirectory()) throw new ConfinementError(`${dir} is not a directory`);
  }
}

/** Creates `dir` and its parents below `root` (and `root` itself if missing); never through a symlink. */
export async function mkdirIn(root: string, dir: string, mode = 0o755): Promise<void> {
  const full = resolve(dir) === resolve(root) ? root : confine(root, dir);
  // The root is the lab's trusted base (its run directory, /etc/netns): created as a whole if missing.
  await mkdir(root, { recursive: true, mode });
  for (const step of chain(root, full, true)) {
    const info = await lstat(step).catch(() => undefined);
    if (info?.isSymbolicLink()) throw new ConfinementError(`refusing to follow the symlink ${step}`);
    if (info && !info.isDirectory()) throw new ConfinementError(`${step} is not a directory`);
    if (!info)
      await mkdir(step, { mode }).catch((error: NodeJS.ErrnoException) =>
        error.code === 'EEXIST' ? undefined : Promise.reject(error),
      );
  }
}

/** Opens a regular file inside `root` for writing; the last component is never followed (O_NOFOLLOW). */
async function openIn(root: string, path: string, flags: number, mode: number): Promise<FileHandle> {
  const full = confine(root, path);
  await mkdirIn(root, dirname(full));
  const info = await lstat(full).catch(() => undefined);
  // A FIFO or device in the way would block or write elsewhere; a symlink is refused by O_NOFOLLOW.
  if (info && !info.isFile() && !info.isSymbolicLink()) throw new ConfinementError(`${full} is not a regular file`);
  try {
    return await open(full, flags | constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new ConfinementError(`refusing to follow the symlink ${full}`);
    throw error;
  }
}

/** Writes a file inside `root`, replacing its content. */
export async function writeFileIn(root: string, path: string, content: string, mode = 0o644): Promise<void> {
  const file = await openIn(root, path, constants.O_TRUNC, mode);
  try {
    await file.writeFile(content);
    await file.chmod(mode);
  } finally {
    await file.close();
  }
}

/** Opens a log file inside `root` for appending; the caller closes it. */
export function openLogIn(root: string, path: string): Promise<FileHandle> {
  return openIn(root, path, constants.O_APPEND, 0o644);
}

/** Reads a file inside `root` without following a symlink at its place; undefined when missing. */
export async function readFileIn(root: string, path: string): Promise<string | undefined> {
  const full = confine(root, path);
  await checkChain(root, full);
  const file = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    if (error.code === 'ELOOP') throw new ConfinementError(`refusing to follow the symlink ${full}`);
    throw error;
  });
  if (!file) return undefined;
  try {
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
}

/** Creates (or replaces) the symlink `link` inside `root`, pointing at `target`, which may be anywhere. */
export async function symlinkIn(root: string, link: string, target: string): Promise<void> {
  const full = confine(root, link);
  await mkdirIn(root, dirname(full));
  const info = await lstat(full).catch(() => undefined);
  if (info?.isDirectory()) throw new ConfinementError(`${full} is a directory`);
  if (info) await unlink(full);
  await symlink(target, full);
}

/** Renames a file within `root`; a symlink at `to` is replaced, not followed. */
export async function renameIn(root: string, from: string, to: string): Promise<void> {
  const [src, dst] = [confine(root, from), confine(root, to)];
  await checkChain(root, src);
  await checkChain(root, dst);
  await rename(src, dst);
}

/**
 * Removes `path` (recursively) inside `root`. A symlink at `path` or below is removed, never followed
 * (fs.rm does not follow links); a symlinked directory on the way to it is refused.
 */
export async function removeIn(root: string, path: string): Promise<void> {
  const full = confine(root, path);
  await checkChain(root, full);
  await rm(full, { recursive: true, force: true });
}
