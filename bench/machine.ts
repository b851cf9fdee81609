/** The facts a benchmark figure needs beside it: machine, runtime, date. */
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine slows every figure. */
  loadAverage: number;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
  };
}
