/**
 * The Python package of the PyTorch job (python/micronet_lab_torch: its .py files and README.md),
 * as the browser's "Export for PyTorch" puts it in the job's .zip. Vite bundles each file as a
 * raw string in a chunk of its own, fetched only when the first export asks for them.
 */

const FILES = import.meta.glob<string>('../../python/micronet_lab_torch/*.{py,md}', {
  query: '?raw',
  import: 'default',
});

let loaded: Promise<ReadonlyMap<string, string>> | null = null;

async function load(): Promise<ReadonlyMap<string, string>> {
  const entries = await Promise.all(
    Object.entries(FILES).map(async ([path, read]) => {
      const name = path.slice(path.lastIndexOf('/') + 1);
      return [name, await read()] as const;
    }),
  );
  if (!entries.some(([name]) => name === '__main__.py'))
    throw new Error(
      `the bundled Python package lacks __main__.py (found: ${entries.map(([n]) => n).join(', ') || 'nothing'})`,
    );
  return new Map(entries);
}

/** File name (e.g. "__main__.py") → text of every file of the package. */
export function torchPackageFiles(): Promise<ReadonlyMap<string, string>> {
  loaded ??= load().catch((e: unknown) => {
    loaded = null; // a failed chunk fetch can be retried
    throw e;
  });
  return loaded;
}
