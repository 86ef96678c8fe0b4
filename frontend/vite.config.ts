import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { writeFileSync } from 'node:fs';
import type { Plugin } from 'vite';

// main.go embeds dist/, so a fresh clone carries a committed placeholder
// there (go build and go vet work before any frontend build). emptyOutDir
// deletes it; this writes it back, unchanged, after every build.
const placeholder =
  'Placeholder so that a fresh clone compiles (main.go embeds this folder); `make frontend` fills it.\n';

function keepPlaceholder(): Plugin {
  return {
    name: 'cecyber-dist-placeholder',
    apply: 'build',
    closeBundle() {
      writeFileSync('dist/.keep', placeholder);
    },
  };
}

// Wails serves frontend/dist and injects /wails/ipc.js and /wails/runtime.js
// itself, so the bundle never references them.
export default defineConfig({
  plugins: [svelte(), keepPlaceholder()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // `wails dev` points at this port by default.
    port: 5173,
    strictPort: true,
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
    environment: 'node',
    // The first test to open a page transforms it and everything it
    // imports; on a busy 2-core machine that alone can take seconds.
    testTimeout: 20000,
    hookTimeout: 30000,
  },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
});
