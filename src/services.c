#include "exitcode.h"
#include "log.h"
#include "services.h"

int
services_run(const struct config *c, const char *ref, const struct sync_outcome *o,
    int payload_fd)
{
	(void)ref; (void)o; (void)payload_fd;
	if (config_get(c, CONFIG_RUN) == NULL)
		return EXIT_OK;
	log_msg("RUN is not supported yet");
	return EXIT_RUN_FAILED;
}
