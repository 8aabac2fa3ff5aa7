import { defineConfig } from 'tsup';

// The protocol lives outside this package (src/protocol, shared with the hub): the bundle and the
// one .d.ts inline it, so the published package stands alone.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  outDir: 'dist',
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  dts: { compilerOptions: { lib: ['ES2022', 'DOM'], types: [] } },
  sourcemap: true,
  clean: true,
  external: ['rxjs', 'socket.io-client', 'zod'],
});
