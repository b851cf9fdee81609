/**
 * The lab's Web Worker: holds the dataset and the network, runs tfjs (WebGPU first) off the main
 * thread, and exposes one API object through Comlink.
 */
import * as Comlink from 'comlink';
import { createLabApi } from './lab-api';

Comlink.expose(createLabApi());
