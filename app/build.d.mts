// Types of app/build.mjs for TypeScript callers.

/** Directory the bundle is written to (also what the runtime mounts at /app). */
export declare const APP_DIST_DIR: string;
/** File name of the shipped uWebSockets.js binary (Linux x64, Node 24 ABI). */
export declare const UWS_BINARY: string;
/** Builds the time app into {@link APP_DIST_DIR}; returns the directory and the file names written. */
export declare function buildApp(): Promise<{ outDir: string; files: string[] }>;
