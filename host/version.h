/* version: the release string; the Makefile passes -DNODEWARD_VERSION. */
#pragma once
#ifndef NODEWARD_VERSION
#define NODEWARD_VERSION "0.1.0"
#endif
