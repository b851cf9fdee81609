/**
 * The torch job folder (./torch-job.ts) as one .zip — what the lab's "Export for PyTorch" button
 * downloads: every file of the folder under one top folder, its README.md (the commands), and the
 * Python package (python/micronet_lab_torch) beside them, so that
 *   unzip <name>.zip && cd <name> && python3 -m micronet_lab_torch check .
 * runs with nothing else from this repository. STORED entries (./zip-writer.ts).
 */
import type { TorchJobFiles } from './torch-job';
import { writeZip, type ZipInput } from './zip-writer';

/** The package's folder inside the job (what `python3 -m micronet_lab_torch` imports). */
export const TORCH_PACKAGE_DIR = 'micronet_lab_torch';

/** The job folder's README.md: how to check and train it, with or without the package beside. */
export function torchJobReadme(hasPackage: boolean): string {
  const where = hasPackage
    ? 'The package is copied here (micronet_lab_torch/): run from this folder.'
    : 'Run from the MicroNet Lab repo with PYTHONPATH=<repo>/python (python/micronet_lab_torch).';
  return [
    '# MicroNet Lab torch job',
    '',
    where,
    '',
    '```sh',
    'python3 -m micronet_lab_torch check .          # the lab and torch give the same logits',
    'python3 -m micronet_lab_torch train . --data <cifar-100-binary> --epochs 1 --spawn 2',
    'npx micronet-lab eval --model result.safetensors --data <cifar-100-binary>',
    '```',
    '',
  ].join('\n');
}

/** A name for the job's top folder (and the .zip): the graph name, file-system safe. */
export function torchJobFolder(graphName: string): string {
  const base = graphName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '');
  return `${base || 'network'}-torch-job`;
}

/**
 * The job as a zip: `folder`/ holds the job's files, README.md and — when `pythonPackage` (file
 * name → text, e.g. "__main__.py") is given — micronet_lab_torch/. Entry names come back too.
 */
export function torchJobZip(
  job: TorchJobFiles,
  folder: string,
  pythonPackage: ReadonlyMap<string, string> | null,
): { bytes: Uint8Array; names: string[] } {
  if (pythonPackage && !pythonPackage.has('__main__.py'))
    throw new Error(
      `the Python package has no __main__.py (files: ${[...pythonPackage.keys()].join(', ') || 'none'})`,
    );
  const entries: ZipInput[] = [...job.files].map(([name, data]) => ({
    name: `${folder}/${name}`,
    data,
  }));
  entries.push({ name: `${folder}/README.md`, data: torchJobReadme(pythonPackage !== null) });
  const files = [...(pythonPackage ?? new Map<string, string>())].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const [file, text] of files)
    entries.push({ name: `${folder}/${TORCH_PACKAGE_DIR}/${file}`, data: text });
  return { bytes: writeZip(entries), names: entries.map((e) => e.name) };
}
