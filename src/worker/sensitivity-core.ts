/**
 * The core functions the sensitivity service runs (core/compress/sensitivity and
 * core/compress/plan), in one place so that the compiler checks them against SensitivityCore.
 */
import { planRecipe } from '../core/compress/plan/index';
import { measureSensitivity } from '../core/compress/sensitivity/index';
import type { SensitivityCore } from './sensitivity-service';

export const sensitivityCore: SensitivityCore = { measureSensitivity, planRecipe };
