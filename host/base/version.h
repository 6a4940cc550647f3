/* version: the release string; the Makefile passes -DNODEWARD_VERSION. */
#pragma once
#ifndef NODEWARD_VERSION
#define NODEWARD_VERSION "0.1.0"
#endif
/* Where the tool is documented: SARIF's informationUri, OCSF's product URL. The
 * Makefile passes -DNODEWARD_URL=... for a build that has its own home. */
#ifndef NODEWARD_URL
#define NODEWARD_URL "https://github.com/nodeward/nodeward"
#endif
