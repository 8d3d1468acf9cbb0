// SPDX-License-Identifier: GPL-2.0
/*
 * irq_fpu_stress - use the FPU from interrupt context, as often as asked.
 *
 * A test-only module for the kvm-fpu-fixes reproducers.  In every mode a
 * handler runs in interrupt context (hard IRQ for "ipi" and "hrtimer",
 * softirq for "softirq"); when irq_fpu_usable() allows it, the handler
 * brackets a short piece of FPU work with kernel_fpu_begin()/end(), and
 * with clobber=1 it overwrites xmm0-15 (and ymm0-15 where the host enables
 * AVX) with a poison pattern.  A kernel that gets its FPU bookkeeping wrong
 * around KVM's vCPU loop then hands the poison to a guest or to the VMM.
 *
 * The handler also records whether it hit the windows the reproducers care
 * about: XCR0 differing from the host's value read at load time (a guest's
 * XCR0 is live on this CPU) and the interrupted task running a vCPU
 * (PF_VCPU).  Counters are per CPU, split by irq_fpu_usable()'s answer,
 * and readable at /sys/kernel/debug/irq_fpu_stress/stats.
 *
 * Builds against 3.11 ... 6.12; the compat notes are next to each use.
 */

#include <linux/version.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/sched.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/hardirq.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/fs.h>
#include <linux/err.h>
#include <asm/processor.h>

/* The FPU API moved from asm/i387.h to asm/fpu/api.h in 4.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 2, 0)
#include <asm/fpu/api.h>
#else
#include <asm/i387.h>
#endif

/* READ_ONCE() appeared in 3.19; ACCESS_ONCE() went away in 4.15. */
#ifndef READ_ONCE
#define READ_ONCE(x) ACCESS_ONCE(x)
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, val) (ACCESS_ONCE(x) = (val))
#endif

/* in_hardirq() replaced in_irq() in 5.14; in_irq() was removed later. */
#ifndef in_hardirq
#define in_hardirq() in_irq()
#endif

/* Per-CPU hard-IRQ hrtimers need the _HARD modes on RT-aware kernels (5.4+). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 4, 0)
#define IFS_HRTIMER_MODE HRTIMER_MODE_REL_PINNED_HARD
#else
#define IFS_HRTIMER_MODE HRTIMER_MODE_REL_PINNED
#endif

/* The tasklet callback takes the tasklet itself since 5.9. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 9, 0)
#define IFS_TASKLET_NEW_API 1
#endif

static char *mode = "ipi";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "where the FPU is used: ipi (smp_call_function_many from a kthread), hrtimer (per-CPU hard-IRQ timer), softirq (per-CPU tasklet)");

static unsigned int period_us = 200;
module_param(period_us, uint, 0444);
MODULE_PARM_DESC(period_us, "interval between handler runs in microseconds (1..1000000, default 200)");

static bool clobber = true;
module_param(clobber, bool, 0444);
MODULE_PARM_DESC(clobber, "1: overwrite xmm0-15 (and ymm0-15 with AVX) with poison inside kernel_fpu_begin/end (default 1)");

/*
 * Test-only: clobber the registers WITHOUT kernel_fpu_begin()/end(), i.e.
 * do on purpose what the bugs do by accident, so that a reproducer's
 * checks can be shown to fail.  1: only when the interrupted task is a vCPU
 * thread in KVM's guest-run section (PF_VCPU; its registers then hold guest
 * state); 2: whatever task is interrupted.  Use it only in a throwaway VM.
 */
static int selftest_corrupt;
module_param(selftest_corrupt, int, 0444);
MODULE_PARM_DESC(selftest_corrupt, "TEST ONLY: clobber xmm/ymm without kernel_fpu_begin(): 1 = interrupted vCPU threads (PF_VCPU), 2 = any interrupted task (default 0)");

enum ifs_mode { IFS_IPI, IFS_HRTIMER, IFS_SOFTIRQ };

struct ifs_stats {
	u64 runs;
	u64 usable;
	u64 unusable;
	u64 guest_xcr0_usable;
	u64 guest_xcr0_unusable;
	u64 vcpu_usable;
	u64 vcpu_unusable;
	u64 hardirq;
};

struct ifs_cpu {
	struct hrtimer timer;
	struct tasklet_struct tasklet;
	int cpu;
};

static DEFINE_PER_CPU(struct ifs_stats, ifs_stats);
static DEFINE_PER_CPU(struct ifs_cpu, ifs_cpu);

static enum ifs_mode ifs_mode;
static int ifs_stopping;
static bool ifs_have_xgetbv;
static bool ifs_have_avx;
static u64 ifs_host_xcr0;
static struct task_struct *ifs_thread;
static cpumask_var_t ifs_mask;
static struct dentry *ifs_dir;
static bool ifs_timers_started;

/* 32 bytes per register: the low 16 fill xmm, all 32 fill ymm. */
static const u8 ifs_poison[32] __aligned(32) = {
	0xde, 0xad, 0xbe, 0xef, 0x5a, 0x5a, 0xa5, 0xa5,
	0x0b, 0xad, 0xf0, 0x0d, 0xc0, 0xff, 0xee, 0x99,
	0xfe, 0xed, 0xfa, 0xce, 0x12, 0x34, 0x56, 0x78,
	0x87, 0x65, 0x43, 0x21, 0x99, 0x88, 0x77, 0x66,
};

/*
 * XGETBV with ECX=0 (encoded as bytes for old assemblers).  Only valid when
 * CR4.OSXSAVE is set, which ifs_have_xgetbv records.
 */
static inline u64 ifs_xgetbv0(void)
{
	u32 lo, hi;

	asm volatile(".byte 0x0f, 0x01, 0xd0" : "=a" (lo), "=d" (hi) : "c" (0));
	return ((u64)hi << 32) | lo;
}

/* Must run between kernel_fpu_begin() and kernel_fpu_end(). */
static void ifs_clobber_regs(void)
{
	const u8 *p = ifs_poison;

	asm volatile("movdqu (%0), %%xmm0\n\t"
		     "movdqu (%0), %%xmm1\n\t"
		     "movdqu (%0), %%xmm2\n\t"
		     "movdqu (%0), %%xmm3\n\t"
		     "movdqu (%0), %%xmm4\n\t"
		     "movdqu (%0), %%xmm5\n\t"
		     "movdqu (%0), %%xmm6\n\t"
		     "movdqu (%0), %%xmm7\n\t"
		     "movdqu (%0), %%xmm8\n\t"
		     "movdqu (%0), %%xmm9\n\t"
		     "movdqu (%0), %%xmm10\n\t"
		     "movdqu (%0), %%xmm11\n\t"
		     "movdqu (%0), %%xmm12\n\t"
		     "movdqu (%0), %%xmm13\n\t"
		     "movdqu (%0), %%xmm14\n\t"
		     "movdqu (%0), %%xmm15\n\t"
		     : : "r" (p) : "memory");
	if (!ifs_have_avx)
		return;
	asm volatile("vmovdqu (%0), %%ymm0\n\t"
		     "vmovdqu (%0), %%ymm1\n\t"
		     "vmovdqu (%0), %%ymm2\n\t"
		     "vmovdqu (%0), %%ymm3\n\t"
		     "vmovdqu (%0), %%ymm4\n\t"
		     "vmovdqu (%0), %%ymm5\n\t"
		     "vmovdqu (%0), %%ymm6\n\t"
		     "vmovdqu (%0), %%ymm7\n\t"
		     "vmovdqu (%0), %%ymm8\n\t"
		     "vmovdqu (%0), %%ymm9\n\t"
		     "vmovdqu (%0), %%ymm10\n\t"
		     "vmovdqu (%0), %%ymm11\n\t"
		     "vmovdqu (%0), %%ymm12\n\t"
		     "vmovdqu (%0), %%ymm13\n\t"
		     "vmovdqu (%0), %%ymm14\n\t"
		     "vmovdqu (%0), %%ymm15\n\t"
		     : : "r" (p) : "memory");
}

/* The body shared by every mode; runs in hard IRQ or softirq context. */
static void ifs_handler(void)
{
	struct ifs_stats *st = this_cpu_ptr(&ifs_stats);
	bool guest_xcr0 = false, vcpu = false, usable;

	if (ifs_have_xgetbv)
		guest_xcr0 = ifs_xgetbv0() != ifs_host_xcr0;
#ifdef PF_VCPU
	vcpu = !!(current->flags & PF_VCPU);
#endif
	usable = irq_fpu_usable();

	st->runs++;
	if (in_hardirq())
		st->hardirq++;
	if (usable) {
		st->usable++;
		if (guest_xcr0)
			st->guest_xcr0_usable++;
		if (vcpu)
			st->vcpu_usable++;
		if (selftest_corrupt == 2 || (selftest_corrupt == 1 && vcpu)) {
			ifs_clobber_regs();
		} else if (!selftest_corrupt) {
			kernel_fpu_begin();
			if (clobber)
				ifs_clobber_regs();
			kernel_fpu_end();
		}
	} else {
		st->unusable++;
		if (guest_xcr0)
			st->guest_xcr0_unusable++;
		if (vcpu)
			st->vcpu_unusable++;
	}
}

/* ---- mode ipi ---- */

static void ifs_ipi_fn(void *unused)
{
	ifs_handler();
}

static int ifs_ipi_thread(void *unused)
{
	while (!kthread_should_stop()) {
		preempt_disable();
		cpumask_copy(ifs_mask, cpu_online_mask);
		cpumask_clear_cpu(smp_processor_id(), ifs_mask);
		if (!cpumask_empty(ifs_mask))
			smp_call_function_many(ifs_mask, ifs_ipi_fn, NULL,
					       true);
		preempt_enable();
		usleep_range(period_us, period_us + period_us / 4 + 1);
		cond_resched();
	}
	return 0;
}

/* ---- modes hrtimer and softirq ---- */

#ifdef IFS_TASKLET_NEW_API
static void ifs_tasklet_fn(struct tasklet_struct *t)
#else
static void ifs_tasklet_fn(unsigned long data)
#endif
{
	ifs_handler();
}

static enum hrtimer_restart ifs_timer_fn(struct hrtimer *t)
{
	struct ifs_cpu *c = container_of(t, struct ifs_cpu, timer);

	if (READ_ONCE(ifs_stopping))
		return HRTIMER_NORESTART;
	if (ifs_mode == IFS_SOFTIRQ)
		tasklet_schedule(&c->tasklet);
	else
		ifs_handler();
	hrtimer_forward_now(t, ns_to_ktime((u64)period_us * 1000));
	return HRTIMER_RESTART;
}

/* Runs on each CPU (on_each_cpu) so the pinned timer lives there. */
static void ifs_timer_start(void *unused)
{
	struct ifs_cpu *c = this_cpu_ptr(&ifs_cpu);

	hrtimer_start(&c->timer, ns_to_ktime((u64)period_us * 1000),
		      IFS_HRTIMER_MODE);
}

static void ifs_nop(void *unused)
{
}

static void ifs_stop(void)
{
	int cpu;

	WRITE_ONCE(ifs_stopping, 1);
	/* Timer callbacks that start after this see the flag and stop. */
	smp_mb();
	if (ifs_thread) {
		kthread_stop(ifs_thread);
		ifs_thread = NULL;
	}
	if (ifs_timers_started) {
		for_each_possible_cpu(cpu)
			hrtimer_cancel(&per_cpu(ifs_cpu, cpu).timer);
		if (ifs_mode == IFS_SOFTIRQ)
			for_each_possible_cpu(cpu)
				tasklet_kill(&per_cpu(ifs_cpu, cpu).tasklet);
		ifs_timers_started = false;
	}
	/* Wait until no handler can still be running anywhere. */
	on_each_cpu(ifs_nop, NULL, 1);
}

/* ---- statistics ---- */

static void ifs_sum(struct ifs_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct ifs_stats *st = &per_cpu(ifs_stats, cpu);

		sum->runs += READ_ONCE(st->runs);
		sum->usable += READ_ONCE(st->usable);
		sum->unusable += READ_ONCE(st->unusable);
		sum->guest_xcr0_usable += READ_ONCE(st->guest_xcr0_usable);
		sum->guest_xcr0_unusable += READ_ONCE(st->guest_xcr0_unusable);
		sum->vcpu_usable += READ_ONCE(st->vcpu_usable);
		sum->vcpu_unusable += READ_ONCE(st->vcpu_unusable);
		sum->hardirq += READ_ONCE(st->hardirq);
	}
}

static int ifs_stats_show(struct seq_file *m, void *unused)
{
	struct ifs_stats sum;
	int cpu;

	ifs_sum(&sum);
	seq_printf(m, "runs %llu\n", sum.runs);
	seq_printf(m, "usable %llu\n", sum.usable);
	seq_printf(m, "unusable %llu\n", sum.unusable);
	seq_printf(m, "guest_xcr0_usable %llu\n", sum.guest_xcr0_usable);
	seq_printf(m, "guest_xcr0_unusable %llu\n", sum.guest_xcr0_unusable);
	seq_printf(m, "vcpu_usable %llu\n", sum.vcpu_usable);
	seq_printf(m, "vcpu_unusable %llu\n", sum.vcpu_unusable);
	seq_printf(m, "hardirq %llu\n", sum.hardirq);
	seq_printf(m, "mode %s\n", mode);
	seq_printf(m, "period_us %u\n", period_us);
	seq_printf(m, "clobber %d\n", clobber ? 1 : 0);
	seq_printf(m, "selftest_corrupt %d\n", selftest_corrupt);
	seq_printf(m, "host_xcr0 0x%llx\n", ifs_host_xcr0);
#ifdef PF_VCPU
	seq_puts(m, "vcpu_tracked 1\n");
#else
	seq_puts(m, "vcpu_tracked 0\n");
#endif
	for_each_possible_cpu(cpu) {
		struct ifs_stats *st = &per_cpu(ifs_stats, cpu);

		seq_printf(m, "cpu%d runs=%llu usable=%llu unusable=%llu guest_xcr0_usable=%llu guest_xcr0_unusable=%llu vcpu_usable=%llu vcpu_unusable=%llu\n",
			   cpu, READ_ONCE(st->runs), READ_ONCE(st->usable),
			   READ_ONCE(st->unusable),
			   READ_ONCE(st->guest_xcr0_usable),
			   READ_ONCE(st->guest_xcr0_unusable),
			   READ_ONCE(st->vcpu_usable),
			   READ_ONCE(st->vcpu_unusable));
	}
	return 0;
}

static int ifs_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, ifs_stats_show, NULL);
}

static const struct file_operations ifs_stats_fops = {
	.owner = THIS_MODULE,
	.open = ifs_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/* ---- load / unload ---- */

static int __init ifs_parse_params(void)
{
	if (!mode || !strcmp(mode, "ipi")) {
		ifs_mode = IFS_IPI;
	} else if (!strcmp(mode, "hrtimer")) {
		ifs_mode = IFS_HRTIMER;
	} else if (!strcmp(mode, "softirq")) {
		ifs_mode = IFS_SOFTIRQ;
	} else {
		pr_err("irq_fpu_stress: invalid mode=%s; valid modes: ipi, hrtimer, softirq\n",
		       mode);
		return -EINVAL;
	}
	if (selftest_corrupt < 0 || selftest_corrupt > 2) {
		pr_err("irq_fpu_stress: invalid selftest_corrupt=%d; valid values: 0, 1, 2\n",
		       selftest_corrupt);
		return -EINVAL;
	}
	if (period_us < 1 || period_us > 1000000) {
		pr_err("irq_fpu_stress: invalid period_us=%u; valid range: 1..1000000\n",
		       period_us);
		return -EINVAL;
	}
	return 0;
}

static int __init ifs_init(void)
{
	int ret, cpu;

	ret = ifs_parse_params();
	if (ret)
		return ret;

	/* CPUID.1:ECX.OSXSAVE[27] mirrors CR4.OSXSAVE: XGETBV is allowed. */
	ifs_have_xgetbv = !!(cpuid_ecx(1) & (1u << 27));
	if (ifs_have_xgetbv) {
		ifs_host_xcr0 = ifs_xgetbv0();
		ifs_have_avx = (ifs_host_xcr0 & 0x6) == 0x6;
	}

	if (!zalloc_cpumask_var(&ifs_mask, GFP_KERNEL))
		return -ENOMEM;

	ifs_dir = debugfs_create_dir("irq_fpu_stress", NULL);
	if (IS_ERR_OR_NULL(ifs_dir)) {
		pr_err("irq_fpu_stress: cannot create the debugfs directory (is debugfs enabled?)\n");
		ifs_dir = NULL;
		ret = -ENODEV;
		goto err_mask;
	}
	debugfs_create_file("stats", 0444, ifs_dir, NULL, &ifs_stats_fops);

	for_each_possible_cpu(cpu) {
		struct ifs_cpu *c = &per_cpu(ifs_cpu, cpu);

		c->cpu = cpu;
		hrtimer_init(&c->timer, CLOCK_MONOTONIC, IFS_HRTIMER_MODE);
		c->timer.function = ifs_timer_fn;
#ifdef IFS_TASKLET_NEW_API
		tasklet_setup(&c->tasklet, ifs_tasklet_fn);
#else
		tasklet_init(&c->tasklet, ifs_tasklet_fn, (unsigned long)c);
#endif
	}

	if (ifs_mode == IFS_IPI) {
		ifs_thread = kthread_run(ifs_ipi_thread, NULL,
					 "irq_fpu_stress");
		if (IS_ERR(ifs_thread)) {
			ret = PTR_ERR(ifs_thread);
			ifs_thread = NULL;
			goto err_debugfs;
		}
	} else {
		ifs_timers_started = true;
		on_each_cpu(ifs_timer_start, NULL, 1);
	}

	if (selftest_corrupt)
		pr_warn("irq_fpu_stress: selftest_corrupt=%d: registers of interrupted %s WILL be corrupted (test only)\n",
			selftest_corrupt,
			selftest_corrupt == 1 ? "vCPU threads" : "tasks");
	pr_info("irq_fpu_stress: mode=%s period_us=%u clobber=%d host_xcr0=0x%llx avx=%d\n",
		mode, period_us, clobber ? 1 : 0, ifs_host_xcr0,
		ifs_have_avx ? 1 : 0);
	return 0;

err_debugfs:
	debugfs_remove_recursive(ifs_dir);
err_mask:
	free_cpumask_var(ifs_mask);
	return ret;
}

static void __exit ifs_exit(void)
{
	struct ifs_stats sum;
	int cpu;

	debugfs_remove_recursive(ifs_dir);
	ifs_stop();
	free_cpumask_var(ifs_mask);
	ifs_sum(&sum);
	pr_info("irq_fpu_stress: unloaded: runs=%llu usable=%llu unusable=%llu guest_xcr0_usable=%llu guest_xcr0_unusable=%llu vcpu_usable=%llu vcpu_unusable=%llu\n",
		sum.runs, sum.usable, sum.unusable, sum.guest_xcr0_usable,
		sum.guest_xcr0_unusable, sum.vcpu_usable, sum.vcpu_unusable);
	for_each_possible_cpu(cpu) {
		struct ifs_stats *st = &per_cpu(ifs_stats, cpu);

		pr_info("irq_fpu_stress: cpu%d runs=%llu usable=%llu unusable=%llu guest_xcr0_usable=%llu guest_xcr0_unusable=%llu vcpu_usable=%llu vcpu_unusable=%llu\n",
			cpu, st->runs, st->usable, st->unusable,
			st->guest_xcr0_usable, st->guest_xcr0_unusable,
			st->vcpu_usable, st->vcpu_unusable);
	}
}

module_init(ifs_init);
module_exit(ifs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Use the FPU from interrupt context to stress KVM's FPU handling (test only)");

