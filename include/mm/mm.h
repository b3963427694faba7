/* Everything the kernel calls in mm/: include this one header. */
#ifndef METASLOT_MM_MM_H
#define METASLOT_MM_MM_H

#include <mm/frame.h>
#include <mm/buddy.h>
#include <mm/pcpu_cache.h>
#include <mm/stats.h>

#endif
