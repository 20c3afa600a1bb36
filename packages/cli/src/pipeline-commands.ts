import type { Command } from "commander";
export function addPipelineCommands(_program: Command) {}
