/* test_soak (root, `make soak`): `nodeward watch` for SOAK_SECONDS (default 600)
 * while pods come and go (kubelet-named cgroups and network namespaces created
 * and destroyed), one pod floods connect attempts, the textfile directory fills
 * up and empties, and the kubelet's config file is replaced atomically many
 * times a second. Sampled every 5 s: RSS and the fd count stay flat; every pod
 * gets exactly one finding; SIGTERM ends it with exit 0. */
#include "testutil.h"

/* The scene's helpers serve several tests; this one uses some of them. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "e2e/connwatch_scene.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mount.h>

#define SOAK_DIR "/tmp/nw-soak"
#define MAX_PODS 100000

static char kubelet_link[256], config_path[256], textfile_dir[256];
static atomic_bool stop_writers;

struct pod {
        char uid[40], uid_[40], cid[72], cgroup[1024], netns[48];
        pid_t pid;
};

/* The fake kubelet: this program re-executed through a link named kubelet, so
 * its comm is "kubelet" and its command line names the config file. */
static void maybe_be_kubelet(void)
{
        if (getenv("NW_SOAK_KUBELET")) {
                for (;;)
                        pause();
        }
}

static void *config_writer(void *p)
{
        (void)p;
        char tmp[300];
        snprintf(tmp, sizeof(tmp), "%s.tmp", config_path);
        for (unsigned i = 0; !atomic_load(&stop_writers); i++) {
                FILE *f = fopen(tmp, "w");
                if (!f)
                        continue;
                /* Two versions, each whole: a reader sees one or the other. */
                fprintf(f, "{\"kind\":\"KubeletConfiguration\",\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\","
                           "\"readOnlyPort\":%d,\"authentication\":{\"anonymous\":{\"enabled\":false}},"
                           "\"padding\":\"%0*d\"}\n",
                        i % 2 ? 10255 : 0, 2000, 0);
                fclose(f);
                rename(tmp, config_path);
                usleep(20000);
        }
        return NULL;
}

/* The textfile directory is a 256 KiB tmpfs: a filler takes all of it for a
 * while, then goes. */
static void *disk_filler(void *p)
{
        (void)p;
        char filler[300];
        snprintf(filler, sizeof(filler), "%s/filler", textfile_dir);
        while (!atomic_load(&stop_writers)) {
                int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                char block[4096] = {0};
                while (fd >= 0 && write(fd, block, sizeof(block)) > 0)
                        ;
                if (fd >= 0)
                        close(fd);
                sleep(7);
                unlink(filler);
                sleep(5);
        }
        return NULL;
}

static void pod_names(struct pod *p, unsigned i)
{
        unsigned me = (unsigned)getpid();
        snprintf(p->uid, sizeof(p->uid), "50a50a50-%04x-4000-8000-%012x", me & 0xffff, i);
        snprintf(p->uid_, sizeof(p->uid_), "50a50a50_%04x_4000_8000_%012x", me & 0xffff, i);
        snprintf(p->cid, sizeof(p->cid), "cc33dd44ee55ff6600112233445566778899aabbccddeeff0011223344%06x", i);
        snprintf(p->cgroup, sizeof(p->cgroup),
                 "%s/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/cri-containerd-%s.scope",
                 cg_base, p->uid_, p->cid);
        snprintf(p->netns, sizeof(p->netns), "nw-soak-%u-%u", me, i);
}

/* A pod: its cgroup and namespace (the metadata address on its own loopback,
 * so each attempt is refused at once), and a process making @attempts. */
static void pod_start(struct pod *p, unsigned i, int attempts)
{
        pod_names(p, i);
        tu_mkdirs(p->cgroup);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "ip netns add %1$s && ip -n %1$s link set lo up && ip -n %1$s addr add " IMDS_IP
                                   "/32 dev lo", p->netns);
        if (sh(cmd) != 0)
                fail_msg("could not build pod namespace %s", p->netns);
        p->pid = fork();
        assert_true(p->pid >= 0);
        if (p->pid == 0) {
                enter(p->cgroup, p->netns);
                for (int k = 0; k < attempts; k++) {
                        attempt(IMDS_IP, 80);
                        if (attempts < 1000)
                                usleep(100000);
                }
                _exit(0);
        }
}

/* Its process has exited: the namespace and the cgroups go. */
static void pod_remove(struct pod *p)
{
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "ip netns del %s", p->netns);
        if (sh(cmd) != 0)
                fprintf(stderr, "could not delete %s\n", p->netns);
        /* The scope, then the pod slice. */
        rmdir(p->cgroup);
        char *slash = strrchr(p->cgroup, '/');
        *slash = '\0';
        rmdir(p->cgroup);
}

static long status_kib(pid_t pid, const char *key)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        FILE *f = fopen(path, "r");
        long v = -1;
        size_t n = strlen(key);
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, n) == 0 && line[n] == ':')
                        v = strtol(line + n + 1, NULL, 10);
        if (f)
                fclose(f);
        return v;
}

static int fd_count(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
        DIR *d = opendir(path);
        int n = 0;
        for (struct dirent *de; d && (de = readdir(d));)
                n += de->d_name[0] != '.';
        if (d)
                closedir(d);
        return n;
}

static void test_watch_soaks(void **state)
{
        (void)state;
        if (!have_scene)
                fail_msg("the soak needs root and a cgroup v2 hierarchy");
        long secs = getenv("SOAK_SECONDS") ? strtol(getenv("SOAK_SECONDS"), NULL, 10) : 600;
        assert_true(secs >= 60);
        sh("mkdir -p " SOAK_DIR);
        snprintf(textfile_dir, sizeof(textfile_dir), "%s/textfile", SOAK_DIR);
        tu_mkdirs(textfile_dir);
        assert_int_equal(mount("tmpfs", textfile_dir, "tmpfs", 0, "size=256k"), 0);
        snprintf(config_path, sizeof(config_path), "%s/kubelet-config.json", SOAK_DIR);
        snprintf(kubelet_link, sizeof(kubelet_link), "%s/kubelet", SOAK_DIR);
        unlink(kubelet_link);
        char self[4096];
        ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
        assert_true(sl > 0);
        self[sl] = '\0';
        assert_int_equal(symlink(self, kubelet_link), 0);
        pthread_t writer, filler;
        atomic_store(&stop_writers, false);
        assert_int_equal(pthread_create(&writer, NULL, config_writer, NULL), 0);
        assert_int_equal(pthread_create(&filler, NULL, disk_filler, NULL), 0);
        usleep(100000);
        pid_t kubelet = fork();
        assert_true(kubelet >= 0);
        if (kubelet == 0) {
                char cfg[300];
                snprintf(cfg, sizeof(cfg), "--config=%s", config_path);
                setenv("NW_SOAK_KUBELET", "1", 1);
                execl(kubelet_link, "kubelet", cfg, "--node-ip=10.213.7.1", (char *)NULL);
                _exit(127);
        }
        char tf[300];
        snprintf(tf, sizeof(tf), "%s/nodeward.prom", textfile_dir);
        char *argv[] = {(char *)tu_nodeward(), "watch", "--interval", "2", "--textfile", tf, "--only",
                        "imds.pod-attempts,kubelet.read-only-port,kubelet.anonymous-auth", NULL};
        struct nw_run nr;
        nodeward_start(&nr, argv, NULL);
        char *s = file_until(nr.out_path, "\"event\":\"attached\"", 30);
        assert_non_null(s);
        free(s);

        struct pod *pods = calloc(MAX_PODS, sizeof(*pods));
        struct pod *live[8] = {0};
        unsigned n_pods = 0;
        /* Samples after the warm-up, compared third against third: a leak grows,
         * a collection in progress only holds a few more fds for a moment. */
        long rss0 = -1, rss_max = 0, rss_first = 0, rss_last = 0;
        int fd_min = 1 << 30, fd_max = 0, fd_first = 1 << 30, fd_last = 1 << 30;
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long next_sample = 0, warm = secs / 10 > 60 ? 60 : secs / 10;
        for (long el = 0; el < secs; el = now.tv_sec - t0.tv_sec) {
                /* Keep eight pods alive: each makes a few attempts over a few seconds;
                 * slot 0 floods. */
                for (int k = 0; k < 8; k++) {
                        if (live[k]) {
                                int st;
                                if (waitpid(live[k]->pid, &st, WNOHANG) != live[k]->pid)
                                        continue;
                                pod_remove(live[k]);
                                live[k] = NULL;
                        }
                        if (n_pods < MAX_PODS) {
                                live[k] = &pods[n_pods];
                                pod_start(live[k], n_pods, k == 0 ? 20000 : 10 + (int)(n_pods % 30));
                                n_pods++;
                        }
                }
                if (el >= next_sample) {
                        long rss = status_kib(nr.pid, "VmRSS");
                        int fds = fd_count(nr.pid);
                        if (rss < 0)
                                fail_msg("watch died after %ld s", el);
                        if (el >= warm) {
                                if (rss0 < 0)
                                        rss0 = rss;
                                rss_max = rss > rss_max ? rss : rss_max;
                                fd_min = fds < fd_min ? fds : fd_min;
                                fd_max = fds > fd_max ? fds : fd_max;
                                long third = (secs - warm) / 3;
                                if (el < warm + third) {
                                        rss_first = rss > rss_first ? rss : rss_first;
                                        fd_first = fds < fd_first ? fds : fd_first;
                                } else if (el >= secs - third) {
                                        rss_last = rss > rss_last ? rss : rss_last;
                                        fd_last = fds < fd_last ? fds : fd_last;
                                }
                        }
                        print_message("soak %4ld s: %u pods so far, watch RSS %ld KiB, %d fds\n", el, n_pods, rss,
                                      fds);
                        next_sample = el + 5;
                }
                usleep(50000);
                clock_gettime(CLOCK_MONOTONIC, &now);
        }
        for (int k = 0; k < 8; k++)
                if (live[k]) {
                        waitpid(live[k]->pid, NULL, 0);
                        pod_remove(live[k]);
                }
        sleep(5); /* the last sightings reach the watch */
        kill(nr.pid, SIGTERM);
        int st;
        assert_int_equal(waitpid(nr.pid, &st, 0), nr.pid);
        running = 0;
        atomic_store(&stop_writers, true);
        pthread_join(writer, NULL);
        pthread_join(filler, NULL);
        kill(kubelet, SIGKILL);
        waitpid(kubelet, NULL, 0);
        umount(textfile_dir);
        unlink(kubelet_link);

        int fd = open(nr.out_path, O_RDONLY | O_CLOEXEC);
        char *out = tu_read_fd(fd);
        close(fd);
        close(nr.err_fd);
        unlink(nr.out_path);
        /* One finding per pod: a pod is one key (its netns and cgroup, the metadata
         * address and port). */
        unsigned missing = 0, duplicated = 0, summaries = 0, bad_kubelet = 0;
        bool exited = strstr(out, "\"event\":\"exit\"") != NULL;
        for (unsigned i = 0; i < n_pods; i++) {
                char want[80];
                snprintf(want, sizeof(want), "\"uid\":\"%s\"", pods[i].uid);
                const char *a = strstr(out, want);
                if (!a)
                        missing++;
                else if (strstr(a + 1, want))
                        duplicated++;
        }
        for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
                if (!strstr(l, "\"event\":\"summary\""))
                        continue;
                summaries++;
                cJSON *j = cJSON_Parse(l);
                const cJSON *r;
                cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "results"))
                {
                        const char *id = cJSON_GetObjectItem(r, "id")->valuestring;
                        const char *stt = cJSON_GetObjectItem(r, "status")->valuestring;
                        if (strncmp(id, "kubelet.", 8) == 0 && strcmp(stt, "pass") != 0 && strcmp(stt, "fail") != 0) {
                                if (bad_kubelet++ < 3)
                                        print_message("%s %s: %s\n", id, stt,
                                                      cJSON_GetObjectItem(r, "evidence")->valuestring);
                        }
                }
                cJSON_Delete(j);
        }
        print_message("soak: %ld s, %u pods, %u summaries; RSS %ld KiB after %ld s warm-up, max %ld; peak of the "
                      "first third %ld, of the last %ld KiB; fds %d..%d (fewest: first third %d, last %d); "
                      "findings missing %u, duplicated %u; kubelet results neither pass nor fail: %u; exit %d\n",
                      secs, n_pods, summaries, rss0, warm, rss_max, rss_first, rss_last, fd_min, fd_max, fd_first,
                      fd_last, missing, duplicated, bad_kubelet, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        free(out);
        free(pods);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        assert_true(exited);
        assert_int_equal(missing, 0);
        assert_int_equal(duplicated, 0);
        assert_int_equal(bad_kubelet, 0);
        assert_true(summaries >= (unsigned)(secs / 2) - 5);
        assert_int_equal(fd_first, fd_last);
        assert_true(fd_max - fd_min <= 16);
        /* Flat: the last third's peak within 1 MiB of the first third's. */
        assert_true(rss_last - rss_first <= 1024);
}

int main(void)
{
        maybe_be_kubelet();
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_watch_soaks),
        };
        return cmocka_run_group_tests_name("soak", tests, setup, teardown);
}
