#pragma once
#include <node_api.h>
void imp_register_elementwise(napi_env env, napi_value exports);
