import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = 'http://localhost:3000';

// Vite requires a default export for its config file.
export default defineConfig({
  root: clientRoot,
  plugins: [react()],
  build: {
    // The server serves this folder (with SPA fallback), so it must stay at client/dist.
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
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
