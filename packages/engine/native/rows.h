#pragma once
#include <node_api.h>
// Dataset access for the training loop: files mapped instead of read, and batch rows gathered
// and normalised in one pass (see rows.c).
void imp_register_rows(napi_env env, napi_value exports);
