import { ArtifactError } from '@imp/artifacts';

/**
 * The photographs could not be had or used; the message names the folder, file or
 * setting at fault (and, when the package route fails, how to supply a folder).
 * An ArtifactError so that the stage CLI prints it as one `error: ...` line.
 */
export class PhotoSourceError extends ArtifactError {
  constructor(message: string, file?: string) {
    super(message, 'bad-input', file);
    this.name = 'PhotoSourceError';
  }
}
