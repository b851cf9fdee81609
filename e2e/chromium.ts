// Debian's Chromium as the e2e tests and the browser benchmark launch it.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// --enable-unsafe-webgpu exposes the SwiftShader WebGPU adapter (main thread + workers); the rest
// stop Chromium from dialling out (there is no network here).
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
