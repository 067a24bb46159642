import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = 'http://localhost:3000';
const outDir = fileURLToPath(new URL('./dist', import.meta.url));

/**
 * `vite build --mode widget`: the loader shops paste into their pages, `dist/widget.js`. One classic
 * script (IIFE) with no framework and no chunks, built after the app (it must not empty dist/).
 */
const widgetConfig = defineConfig({
  root: clientRoot,
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2020',
    lib: {
      entry: fileURLToPath(new URL('./src/widget/widget.ts', import.meta.url)),
      formats: ['iife'],
      name: 'AisleWidgetLoader',
      fileName: () => 'widget.js',
    },
  },
});

// Vite requires a default export for its config file.
export default defineConfig(({ mode }) => (mode === 'widget' ? widgetConfig : appConfig));

const appConfig = defineConfig({
  root: clientRoot,
  plugins: [react()],
  build: {
    // The server serves this folder (with SPA fallback), so it must stay at client/dist.
    outDir,
    emptyOutDir: true,
    // Inlined assets would become data: URLs; keep fonts and scripts as files for the CSP.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // Separate vendor chunks so an app change does not invalidate the cached libraries.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|zustand)[\\/]/ },
            {
              name: 'markdown',
              test: /node_modules[\\/](react-markdown|remark-.*|micromark.*|mdast-.*|hast-.*|unist-.*|unified|vfile.*|marked|.*-to-(jsx-runtime|hast|markdown))[\\/]/,
            },
            { name: 'charts', test: /node_modules[\\/](chart\.js|@kurkle)[\\/]/ },
            { name: 'vendor', test: /node_modules/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/socket.io': { target: apiTarget, ws: true, changeOrigin: false },
    },
  },
});
