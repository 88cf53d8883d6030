// SPDX-License-Identifier: GPL-2.0
/*
 * winprof: a QEMU TCG plugin that counts the guest kernel's instructions
 * per translation block, only inside windows the guest marks.  TCG has no
 * PMU, and under -icount an instruction is a nanosecond of guest time, so
 * this is an exact profile of what the bench times.
 *
 * The guest opens window N (0-3) with "movabs $0x5a484541505700NN, %rax"
 * and closes it with NN = ff (tools/bench/zheap_bench.c does so around
 * each allocator's compaction; tools/zload.c, run with ZLOAD_MARK=N, around
 * the exit it times, from user space: the kernel's instructions are still
 * the only ones counted).  The plugin finds those instructions by
 * their bytes, so it needs no guest address.  At exit it writes
 * "window vaddr instructions" lines to out= (default /tmp/winprof.out);
 * tools/profile/winprof_report.py names them with the guest's
 * /proc/kallsyms.
 *
 * Build: gcc -O2 -shared -fPIC -o winprof.so winprof.c
 * Use:   ZHEAP_QEMU_PLUGIN=/path/winprof.so,out=/tmp/w.out \
 *        ZHEAP_QEMU_SMP=1 ZHEAP_BENCH_ARGS="only_compact=1 ..." \
 *        bash scripts/qemu.sh bench
 *
 * QEMU 7.2 (Debian 12) ships no plugin header; the few calls used here
 * are declared below as its plugin API version 1 defines them.  Counters
 * are not atomic: run the guest with one vCPU.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*udata_cb_t)(qemu_plugin_id_t id, void *udata);
typedef void (*vcpu_udata_cb_t)(unsigned int vcpu, void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *udata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb_t cb,
				    void *udata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define MARK		0x5a48454150570000ULL	/* "ZHEAPW" and the window */
#define MARK_END	(MARK | 0xff)
#define NR_WINDOWS	4
#define NR_BUCKETS	(1U << 20)
#define KERNEL_START	0xffff000000000000ULL

/* One start address; counts summed over every block translated there. */
struct site {
	uint64_t vaddr;
	uint64_t insns[NR_WINDOWS];
};

/* One translated block: with -icount, one address may get several. */
struct block {
	struct site *site;
	uint64_t insns;
};

static struct site *sites;
static pthread_mutex_t sites_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *out_path = "/tmp/winprof.out";
static int window = -1;

static struct site *site_of(uint64_t vaddr)
{
	uint64_t h = (vaddr * 0x9e3779b97f4a7c15ULL) >> 44;

	for (;; h++) {
		struct site *s = &sites[h & (NR_BUCKETS - 1)];

		if (s->vaddr == vaddr || !s->vaddr) {
			s->vaddr = vaddr;
			return s;
		}
	}
}

static void block_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (window >= 0)
		b->site->insns[window] += b->insns;
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	window = (int)(intptr_t)udata;
}

/* Watch @insn if it is a window mark. */
static void watch_mark(struct qemu_plugin_insn *insn)
{
	const unsigned char *d = qemu_plugin_insn_data(insn);
	uint64_t imm;

	if (qemu_plugin_insn_size(insn) != 10 || d[0] != 0x48 || d[1] != 0xb8)
		return;
	memcpy(&imm, d + 2, sizeof(imm));
	if (imm == MARK_END)
		qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
						       QEMU_PLUGIN_CB_NO_REGS,
						       (void *)(intptr_t)-1);
	else if ((imm & ~0xffULL) == MARK && (imm & 0xff) < NR_WINDOWS)
		qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
						       QEMU_PLUGIN_CB_NO_REGS,
						       (void *)(intptr_t)(imm & 0xff));
}

static void block_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct block *b;

	/* A user program may mark windows too (zload's exits); not counted. */
	if (vaddr < KERNEL_START) {
		for (i = 0; i < n; i++)
			watch_mark(qemu_plugin_tb_get_insn(tb, i));
		return;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return;
	for (i = 0; i < n; i++)
		watch_mark(qemu_plugin_tb_get_insn(tb, i));
	pthread_mutex_lock(&sites_lock);
	b->site = site_of(vaddr);
	pthread_mutex_unlock(&sites_lock);
	b->insns = n;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, block_exec,
					     QEMU_PLUGIN_CB_NO_REGS, b);
}

static void write_out(qemu_plugin_id_t id, void *udata)
{
	FILE *f = fopen(out_path, "w");
	unsigned int i, w;

	if (!f)
		return;
	for (i = 0; i < NR_BUCKETS; i++)
		for (w = 0; w < NR_WINDOWS; w++)
			if (sites[i].insns[w])
				fprintf(f, "%u %llx %llu\n", w,
					(unsigned long long)sites[i].vaddr,
					(unsigned long long)sites[i].insns[w]);
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	sites = calloc(NR_BUCKETS, sizeof(*sites));
	if (!sites)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, block_trans);
	qemu_plugin_register_atexit_cb(id, write_out, NULL);
	return 0;
}
