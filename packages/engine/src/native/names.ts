/** Backend name under which the OpenBLAS addon's kernels are registered. */
export const NATIVE_BACKEND_NAME = 'native';
