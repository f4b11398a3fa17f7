// Types of scripts/build.mjs (plain JavaScript: bin/hyperlocal.mjs runs it without tsx), for the tests and benches.
export declare const ROOT: string;
export declare const BUNDLE: string;
export declare const BUNDLE_URL: string;
export declare function isStale(root?: string): boolean;
export declare function ensureBuilt(root?: string): Promise<boolean>;
export declare function build(root?: string): Promise<{ ms: number; files: string[] }>;
