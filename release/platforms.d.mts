// Types of release/platforms.mjs for TypeScript callers (the tests).

/** A platform a release builds (see PLATFORMS in platforms.mjs). */
export interface Platform {
  id: string;
  goos: 'linux' | 'windows' | 'darwin';
  goarch: 'amd64' | 'arm64';
  node: string;
  nodePath: string;
  exe: '' | '.exe';
  format: 'elf' | 'pe' | 'macho';
  integrity: string;
}
/** Every platform a release builds. */
export declare const PLATFORMS: readonly Platform[];
/** The Node version every platform embeds. */
export declare function nodeVersion(): string;
/** The path of a platform's pinned Node binary, fetched and checked on first use. */
export declare function nodeBinary(platform: Platform): string;
