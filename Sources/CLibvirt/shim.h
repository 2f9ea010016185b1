#ifndef NOVACRON_CLIBVIRT_SHIM_H
#define NOVACRON_CLIBVIRT_SHIM_H
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif
