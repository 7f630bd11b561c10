/* Tentative definitions become common symbols with -fcommon. */
int common_int;
char common_buf[64];
int initialised = 1;
