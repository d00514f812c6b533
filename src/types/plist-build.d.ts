declare module 'plist/lib/build.js' {
  import type { PlistValue } from 'plist';
  export function build(obj: PlistValue, opts?: unknown): string;
}
