/*
 * link_alone: built twice, linking every object (whole archive) of the
 * daemon's library without daemon/main.c, and of the connectors' library
 * without the daemon's. Each builds only while no module of its library
 * calls up a layer (main.c only wires things together).
 */
int main(void)
{
	return 0;
}
