/* The static binary's entry point (mk/static.mk links it with -e nodeward_start): before
 * glibc's _start relocates the image, ask the kernel to fault in the whole RELRO region
 * (the tables of pointers that relocation writes: 420 KiB, most of it libcrypto's) in one
 * madvise(MADV_POPULATE_WRITE) instead of one page fault per page. A static PIE pays those
 * faults on every run; under some hypervisors each is a trap that costs more than the
 * copy. Linux < 5.14 answers EINVAL and the faults happen as before.
 *
 * Nothing here may need what glibc has not set up yet: no relocation (only hidden symbols,
 * reached PC-relative), no TLS (no stack protector, no errno), no libc call. */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/syscall.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

void nodeward_prefault_relro(void) __attribute__((visibility("hidden"), no_stack_protector, used));

static long raw_madvise(uintptr_t addr, uintptr_t len, long advice)
{
#if defined(__x86_64__)
        long ret;
        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "0"((long)SYS_madvise), "D"(addr), "S"(len), "d"(advice)
                         : "rcx", "r11", "memory");
        return ret;
#elif defined(__aarch64__)
        register long x8 __asm__("x8") = SYS_madvise;
        register long x0 __asm__("x0") = (long)addr;
        register long x1 __asm__("x1") = (long)len;
        register long x2 __asm__("x2") = advice;
        __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
        return x0;
#endif /* other architectures: the #error at the end */
}

void nodeward_prefault_relro(void)
{
        const ElfW(Ehdr) *eh = &__ehdr_start;
        const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
        /* The image's load bias: where the ELF header is, less the address it was linked at. */
        uintptr_t bias = (uintptr_t)eh, page = 4096;
        for (unsigned i = 0; i < eh->e_phnum; i++)
                if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
                        bias -= ph[i].p_vaddr;
                        break;
                }
        for (unsigned i = 0; i < eh->e_phnum; i++) {
                if (ph[i].p_type != PT_GNU_RELRO || ph[i].p_memsz == 0)
                        continue;
                uintptr_t start = bias + ph[i].p_vaddr, end = start + ph[i].p_memsz;
                start &= ~(page - 1);
                end = (end + page - 1) & ~(page - 1);
                (void)raw_madvise(start, end - start, MADV_POPULATE_WRITE);
        }
}

/* Registers as the kernel left them for _start: the stack pointer, and the dynamic
 * linker's exit function (rdx on x86_64, x0 on arm64; zero for a static binary). */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl nodeward_start\n"
        ".hidden nodeward_start\n"
        ".type nodeward_start,@function\n"
        "nodeward_start:\n"
        "  mov %rdx, %r12\n"
        "  mov %rsp, %rbx\n"
        "  and $-16, %rsp\n"
        "  call nodeward_prefault_relro\n"
        "  mov %rbx, %rsp\n"
        "  mov %r12, %rdx\n"
        "  xor %ebp, %ebp\n"
        "  jmp _start\n"
        ".size nodeward_start, .-nodeward_start\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl nodeward_start\n"
        ".hidden nodeward_start\n"
        ".type nodeward_start,%function\n"
        "nodeward_start:\n"
        "  mov x19, x0\n"
        "  bl nodeward_prefault_relro\n"
        "  mov x0, x19\n"
        "  mov x29, #0\n"
        "  mov x30, #0\n"
        "  b _start\n"
        ".size nodeward_start, .-nodeward_start\n");
#else
#error "static_start.c: no entry shim for this architecture"
#endif
