/**
 * Every artifact failure is an ArtifactError whose message names the artifact
 * directory and, where there is one, the file. CLIs print `error: <message>` and exit 1.
 */
export class ArtifactError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'missing-artifact'
      | 'missing-manifest'
      | 'bad-manifest'
      | 'missing-file'
      | 'size-mismatch'
      | 'checksum-mismatch'
      | 'unlisted-file'
      | 'wrong-kind'
      | 'bad-input'
      | 'bad-table'
      | 'id-mismatch'
      | 'dir-mismatch'
      | 'escaping-path'
      | 'upstream-changed',
    readonly file?: string,
  ) {
    super(message);
    this.name = 'ArtifactError';
  }
}
