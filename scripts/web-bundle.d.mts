export declare const HASH_FILE: string;
export declare function webInputs(root: string): string[];
export declare function webInputsHash(root: string): string;
export declare function webBundleStaleness(root: string): string | null;
export declare function ensureWebBundle(root: string, log?: (line: string) => void): 'fresh' | 'rebuilt';
