/* test_rootfs: host files are read inside the root only, whatever the links say. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/sysmacros.h>

#include "base/rootfs.h"

static char *root;

static int setup(void **state)
{
        (void)state;
        root = tu_mkdtemp();
        tu_write(root, "etc/kubernetes/config.json", "{\"kind\":\"KubeletConfiguration\"}");
        tu_write(root, "etc/shadow", "inside-root-shadow\n");
        tu_symlink(root, "var/lib/abs-link", "/etc/kubernetes/config.json");
        tu_symlink(root, "var/lib/to-shadow", "/etc/shadow");
        tu_symlink(root, "var/lib/climb", "../../../../../../etc/shadow");
        tu_symlink(root, "var/lib/climb-dir", "../../../../../..");
        tu_symlink(root, "var/lib/loop", "loop");
        tu_symlink(root, "var/lib/zero", "/dev/zero");
        char fifo[4096];
        snprintf(fifo, sizeof(fifo), "%s/var/lib/fifo", root);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        free(root);
        return tu_group_teardown(state);
}

static void read_expect(const char *path, const char *want, int want_err)
{
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        char *buf = NULL;
        size_t len;
        int e = rootfs_read_file(&r, path, ROOTFS_READ_CAP, &buf, &len, NULL);
        if (want) {
                if (e != 0)
                        fail_msg("%s: %s", path, rootfs_strerror(e));
                assert_string_equal(buf, want);
        } else {
                assert_int_equal(e, want_err);
        }
        free(buf);
        rootfs_close(&r);
}

static void both_resolvers(void (*fn)(void))
{
        rootfs_force_fallback = false;
        fn();
        rootfs_force_fallback = true;
        fn();
        rootfs_force_fallback = false;
}

static void absolute_symlink_resolves_inside_root_body(void)
{
        read_expect("/var/lib/abs-link", "{\"kind\":\"KubeletConfiguration\"}", 0);
}

static void test_absolute_symlink_resolves_inside_root(void **state)
{
        (void)state;
        both_resolvers(absolute_symlink_resolves_inside_root_body);
}

static void symlink_to_shadow_stays_in_root_body(void)
{
        /* The host's /etc/shadow is never read: the link lands on ROOT/etc/shadow. */
        read_expect("/var/lib/to-shadow", "inside-root-shadow\n", 0);
        read_expect("/var/lib/climb", "inside-root-shadow\n", 0);
        read_expect("/var/lib/climb-dir/etc/shadow", "inside-root-shadow\n", 0);
        read_expect("../../../../etc/shadow", "inside-root-shadow\n", 0);
}

static void test_symlinks_never_leave_root(void **state)
{
        (void)state;
        both_resolvers(symlink_to_shadow_stays_in_root_body);
}

static void special_files_body(void)
{
        read_expect("/var/lib/fifo", NULL, -EINVAL);
        read_expect("/var/lib/loop", NULL, -ELOOP);
        read_expect("/var/lib/zero", NULL, -ENOENT); /* ROOT/dev/zero does not exist */
        read_expect("/etc/kubernetes", NULL, -EISDIR);
        read_expect("/missing/file", NULL, -ENOENT);
}

static void test_fifo_loop_and_device_are_errors_not_hangs(void **state)
{
        (void)state;
        both_resolvers(special_files_body);
}

static void test_device_inside_root_is_refused(void **state)
{
        (void)state;
        char *r2 = tu_mkdtemp();
        tu_symlink(r2, "etc/zero", "/dev/zero");
        char dev[4096];
        snprintf(dev, sizeof(dev), "%s/dev", r2);
        mkdir(dev, 0755);
        snprintf(dev, sizeof(dev), "%s/dev/zero", r2);
        assert_int_equal(mknod(dev, S_IFCHR | 0666, makedev(1, 5)), 0);
        struct rootfs r;
        assert_int_equal(rootfs_open_root(r2, &r), 0);
        char *buf;
        size_t len;
        assert_int_equal(rootfs_read_file(&r, "/etc/zero", ROOTFS_READ_CAP, &buf, &len, NULL), -EINVAL);
        rootfs_close(&r);
        tu_rm_rf(r2);
        free(r2);
}

static void test_read_cap_is_enforced(void **state)
{
        (void)state;
        char path[4096];
        snprintf(path, sizeof(path), "%s/big", root);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 1LL << 30), 0); /* 1 GiB, sparse */
        close(fd);
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        char *buf;
        size_t len;
        assert_int_equal(rootfs_read_file(&r, "big", ROOTFS_READ_CAP, &buf, &len, NULL), -EFBIG);
        /* Callers read with caps of their own (sshd_config 1 MiB a file): the text
         * must be true for each, so it names no size. */
        assert_int_equal(rootfs_read_file(&r, "big", 1u << 20, &buf, &len, NULL), -EFBIG);
        assert_string_equal(rootfs_strerror(-EFBIG), "file larger than nodeward's read cap for it");
        rootfs_close(&r);
        unlink(path);
}

static void test_list_dir_sorted_by_bytes(void **state)
{
        (void)state;
        char *r2 = tu_mkdtemp();
        tu_write(r2, "d/b.conf", "");
        tu_write(r2, "d/A.conf", "");
        tu_write(r2, "d/a.conf", "");
        tu_write(r2, "d/10.conf", "");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(r2, &r), 0);
        char **names;
        size_t n;
        assert_int_equal(rootfs_list_dir(&r, "/d", 100, &names, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(names[0], "10.conf");
        assert_string_equal(names[1], "A.conf");
        assert_string_equal(names[2], "a.conf");
        assert_string_equal(names[3], "b.conf");
        strv_free(names, n);
        assert_int_equal(rootfs_list_dir(&r, "/d", 2, &names, &n), -E2BIG);
        rootfs_close(&r);
        tu_rm_rf(r2);
        free(r2);
}

/* A config written the safe way (a new file renamed over the old) while it is
 * read: each read gets one whole version, never an error. */
static atomic_bool swapping;

static void *swapper(void *p)
{
        (void)p;
        char tmp[4096], dst[4096];
        snprintf(tmp, sizeof(tmp), "%s/etc/kubernetes/swap.tmp", root);
        snprintf(dst, sizeof(dst), "%s/etc/kubernetes/swap.json", root);
        for (unsigned i = 0; atomic_load(&swapping); i++) {
                int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0)
                        continue;
                const char *v = i % 2 ? "{\"v\":1}" : "{\"v\":2}";
                if (write(fd, v, strlen(v)) < 0)
                        abort();
                close(fd);
                rename(tmp, dst);
        }
        return NULL;
}

static void test_file_replaced_by_rename_mid_read_is_read_whole(void **state)
{
        (void)state;
        tu_write(root, "etc/kubernetes/swap.json", "{\"v\":1}");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        atomic_store(&swapping, true);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, swapper, NULL), 0);
        for (int i = 0; i < 20000; i++) {
                char *buf = NULL;
                size_t len;
                int rc = rootfs_read_file(&r, "etc/kubernetes/swap.json", ROOTFS_READ_CAP, &buf, &len, NULL);
                if (rc != 0)
                        fail_msg("read %d: %s", i, strerror(-rc));
                if (strcmp(buf, "{\"v\":1}") != 0 && strcmp(buf, "{\"v\":2}") != 0)
                        fail_msg("read %d: a torn version \"%s\"", i, buf);
                free(buf);
        }
        atomic_store(&swapping, false);
        pthread_join(t, NULL);
        rootfs_close(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_absolute_symlink_resolves_inside_root),
                cmocka_unit_test(test_symlinks_never_leave_root),
                cmocka_unit_test(test_fifo_loop_and_device_are_errors_not_hangs),
                cmocka_unit_test(test_device_inside_root_is_refused),
                cmocka_unit_test(test_read_cap_is_enforced),
                cmocka_unit_test(test_list_dir_sorted_by_bytes),
                cmocka_unit_test(test_file_replaced_by_rename_mid_read_is_read_whole),
        };
        return cmocka_run_group_tests_name("rootfs", tests, setup, teardown);
}
