// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest module the end-to-end harness builds against the headers
 * ci/setup installs and loads from the initramfs: proof that a module built
 * here matches the kernel the emulators boot.
 */
#include <linux/module.h>
#include <linux/printk.h>
#include <generated/utsrelease.h>

static int __init jh_hello_init(void)
{
	pr_info("jh_hello: loaded into %s\n", UTS_RELEASE);
	return 0;
}

static void __exit jh_hello_exit(void)
{
	pr_info("jh_hello: unloaded\n");
}

module_init(jh_hello_init);
module_exit(jh_hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("end-to-end harness probe module");
