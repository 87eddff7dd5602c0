/* fstest: the writable root and tmpfs, one case per argument or all of
   them: files (create, write, read, offsets, truncation, unlinked while
   open, O_TMPFILE), names (mkdir, rmdir, unlink, rename, link, symlink
   and their errno values), attrs (chmod, chown, umask, times, access),
   dir (getdents on a directory that changes), mmap (a file written,
   renamed, mapped and read back, both ways), mount (tmpfs, statfs,
   umount), devices (/dev nodes and mknod). Prints "fstest: NAME ok" or
   why not, then "fstest: N of M passed". Every expectation here was
   checked on Linux 6.1 in the same QEMU. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* musl has no renameat2 wrapper. */
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
static int renameat2(int od, const char *o, int nd, const char *n, unsigned flags) {
	return syscall(SYS_renameat2, od, o, nd, n, flags);
}

#define TEST_NAME "fstest"
#include "check.h"

/* fresh makes an empty directory for a case under /tmp and enters it. */
static void fresh(const char *name) {
	char p[64];
	snprintf(p, sizeof p, "/tmp/%s", name);
	mkdir("/tmp", 01777);
	mkdir(p, 0755);
	chdir(p);
}

static void t_files(void) {
	fresh("files");
	char buf[8192];
	int fd = open("f", O_CREAT | O_EXCL | O_RDWR, 0640);
	CHECK(fd >= 0, "create: %s", strerror(errno));
	ERRNO(open("f", O_CREAT | O_EXCL | O_RDWR, 0640), EEXIST);
	struct stat st;
	OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640 && st.st_size == 0 && st.st_nlink == 1,
	      "new file: mode %o size %lld nlink %lu", st.st_mode, (long long)st.st_size, (unsigned long)st.st_nlink);
	CHECK(write(fd, "hello, world", 12) == 12, "write: %s", strerror(errno));
	CHECK(lseek(fd, 0, SEEK_CUR) == 12, "offset after write");
	CHECK(pread(fd, buf, 5, 7) == 5 && !memcmp(buf, "world", 5), "pread");
	CHECK(pwrite(fd, "W", 1, 7) == 1, "pwrite");
	CHECK(lseek(fd, 0, SEEK_CUR) == 12, "pwrite moved the offset");
	CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, sizeof buf) == 12 && !memcmp(buf, "hello, World", 12), "read back");
	CHECK(read(fd, buf, sizeof buf) == 0, "read at end");
	/* A write past the end leaves a hole that reads as zeroes. */
	CHECK(pwrite(fd, "x", 1, 5000) == 1, "pwrite past end");
	OK(fstat(fd, &st));
	CHECK(st.st_size == 5001 && st.st_blocks == 16, "after hole: size %lld blocks %lld", (long long)st.st_size, (long long)st.st_blocks);
	CHECK(pread(fd, buf, 10, 100) == 10 && !memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10), "hole reads zeroes");
	CHECK(lseek(fd, 0, SEEK_END) == 5001, "SEEK_END");
	ERRNO(lseek(fd, 6000, SEEK_DATA), ENXIO);
	CHECK(lseek(fd, 10, SEEK_HOLE) == 5001, "SEEK_HOLE");
	ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	/* Truncation cuts and grows; what was cut reads as zero. */
	OK(ftruncate(fd, 3));
	OK(ftruncate(fd, 10));
	CHECK(pread(fd, buf, 20, 0) == 10 && !memcmp(buf, "hel\0\0\0\0\0\0\0", 10), "cut and grown");
	ERRNO(ftruncate(fd, -1), EINVAL);
	OK(truncate("f", 0));
	OK(fstat(fd, &st));
	CHECK(st.st_size == 0, "truncate: size %lld", (long long)st.st_size);
	ERRNO(truncate(".", 0), EISDIR);
	ERRNO(truncate("missing", 0), ENOENT);
	/* O_APPEND writes at the end whatever the offset; pwrite too. */
	int a = open("f", O_WRONLY | O_APPEND);
	CHECK(a >= 0, "open O_APPEND");
	CHECK(write(a, "ab", 2) == 2 && lseek(a, 0, SEEK_SET) == 0 && write(a, "cd", 2) == 2, "append writes");
	CHECK(pwrite(a, "ef", 2, 0) == 2, "pwrite O_APPEND");
	CHECK(pread(fd, buf, 10, 0) == 6 && !memcmp(buf, "abcdef", 6), "appended: %.6s", buf);
	ERRNO(read(a, buf, 1), EBADF);
	ERRNO(ftruncate(open("f", O_RDONLY), 0), EINVAL);
	close(a);
	/* O_TRUNC empties; opening read-only with O_TRUNC truncates too. */
	int t = open("f", O_RDONLY | O_TRUNC);
	CHECK(t >= 0, "O_RDONLY|O_TRUNC: %s", strerror(errno));
	OK(fstat(fd, &st));
	CHECK(st.st_size == 0, "O_TRUNC: size %lld", (long long)st.st_size);
	ERRNO(write(t, "x", 1), EBADF);
	close(t);
	/* fallocate grows; KEEP_SIZE does not; punching needs KEEP_SIZE. */
	OK(fallocate(fd, 0, 0, 100));
	OK(fstat(fd, &st));
	CHECK(st.st_size == 100, "fallocate: size %lld", (long long)st.st_size);
	OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8192));
	OK(fstat(fd, &st));
	CHECK(st.st_size == 100, "KEEP_SIZE grew the file to %lld", (long long)st.st_size);
	ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
	ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
	OK(fsync(fd));
	OK(fdatasync(fd));
	int p[2];
	pipe(p);
	ERRNO(fsync(p[0]), EINVAL);
	ERRNO(pread(p[0], buf, 1, 0), ESPIPE);
	/* A file unlinked while open keeps its contents until closed. */
	OK(pwrite(fd, "still here", 10, 0));
	OK(unlink("f"));
	ERRNO(access("f", F_OK), ENOENT);
	OK(fstat(fd, &st));
	CHECK(st.st_nlink == 0, "unlinked: nlink %lu", (unsigned long)st.st_nlink);
	CHECK(pread(fd, buf, 10, 0) == 10 && !memcmp(buf, "still here", 10), "unlinked file's contents");
	char link[64], target[128];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	CHECK(n > 0 && (target[n] = 0, !strcmp(target, "/tmp/files/f (deleted)")), "fd link: %s", n > 0 ? target : strerror(errno));
	close(fd);
	/* O_TMPFILE: an unnamed file that linkat can name. */
	int tf = open(".", O_TMPFILE | O_RDWR, 0600);
	CHECK(tf >= 0, "O_TMPFILE: %s", strerror(errno));
	CHECK(write(tf, "tmp", 3) == 3, "write tmpfile");
	snprintf(link, sizeof link, "/proc/self/fd/%d", tf);
	OK(linkat(AT_FDCWD, link, AT_FDCWD, "named", AT_SYMLINK_FOLLOW));
	OK(stat("named", &st));
	CHECK(st.st_size == 3 && st.st_nlink == 1, "named tmpfile: size %lld", (long long)st.st_size);
	ERRNO(open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	ERRNO(open("named", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	close(tf);
	/* sendfile and copy_file_range move bytes between files. */
	int src = open("src", O_CREAT | O_RDWR, 0644), dst = open("dst", O_CREAT | O_RDWR, 0644);
	CHECK(write(src, "0123456789", 10) == 10, "write src");
	off_t off = 2;
	CHECK(sendfile(dst, src, &off, 5) == 5 && off == 7 && lseek(src, 0, SEEK_CUR) == 10, "sendfile with offset: off %ld", (long)off);
	CHECK(pread(dst, buf, 10, 0) == 5 && !memcmp(buf, "23456", 5), "sendfile result");
	int sp[2];
	pipe(sp);
	lseek(src, 8, SEEK_SET);
	CHECK(sendfile(sp[1], src, NULL, 100) == 2 && lseek(src, 0, SEEK_CUR) == 10, "sendfile to a pipe, to the end");
	CHECK(read(sp[0], buf, 10) == 2 && !memcmp(buf, "89", 2), "pipe got");
	ERRNO(sendfile(dst, sp[0], NULL, 1), EINVAL);
	ERRNO(sendfile(sp[0], src, NULL, 1), EBADF);
	int app = open("dst", O_WRONLY | O_APPEND);
	ERRNO(sendfile(app, src, &off, 1), EINVAL);
	loff_t in_off = 0, out_off = 20;
	CHECK(copy_file_range(src, &in_off, dst, &out_off, 4, 0) == 4 && in_off == 4 && out_off == 24, "copy_file_range");
	CHECK(pread(dst, buf, 4, 20) == 4 && !memcmp(buf, "0123", 4), "copied bytes");
	ERRNO(copy_file_range(src, &in_off, dst, &out_off, 4, 1), EINVAL);
	ERRNO(copy_file_range(src, &in_off, app, NULL, 4, 0), EBADF);
	in_off = 0, out_off = 2;
	ERRNO(copy_file_range(src, &in_off, src, &out_off, 4, 0), EINVAL);
	ERRNO(copy_file_range(sp[0], NULL, dst, NULL, 4, 0), EINVAL);
	in_off = 100;
	CHECK(copy_file_range(src, &in_off, dst, NULL, 4, 0) == 0, "copy past the end");
	close(src), close(dst), close(app), close(sp[0]), close(sp[1]);
	/* creat is open(O_CREAT|O_WRONLY|O_TRUNC). */
	int c = creat("c", 0644);
	CHECK(c >= 0 && write(c, "x", 1) == 1 && read(c, buf, 1) == -1 && errno == EBADF, "creat");
	close(c);
}

static void t_names(void) {
	fresh("names");
	struct stat st;
	OK(mkdir("d", 0755));
	ERRNO(mkdir("d", 0755), EEXIST);
	ERRNO(mkdir("nope/x", 0755), ENOENT);
	ERRNO(mkdir("", 0755), ENOENT);
	OK(mkdir("e/", 0755));
	OK(stat(".", &st));
	CHECK(st.st_nlink == 4, "parent nlink %lu, want 4", (unsigned long)st.st_nlink);
	close(open("d/f", O_CREAT | O_WRONLY, 0644));
	ERRNO(mkdir("d/f/x", 0755), ENOTDIR);
	ERRNO(rmdir("d"), ENOTEMPTY);
	ERRNO(rmdir("d/f"), ENOTDIR);
	ERRNO(rmdir("d/."), EINVAL);
	ERRNO(rmdir("d/.."), ENOTEMPTY);
	ERRNO(rmdir("/"), EBUSY);
	ERRNO(unlink("d"), EISDIR);
	ERRNO(unlink("d/f/"), ENOTDIR);
	ERRNO(unlink("d/g"), ENOENT);
	ERRNO(unlinkat(AT_FDCWD, "d", 1), EINVAL);
	ERRNO(unlinkat(AT_FDCWD, "d/f", AT_REMOVEDIR), ENOTDIR);
	/* Links share the inode; a directory cannot be linked. */
	OK(link("d/f", "g"));
	OK(stat("g", &st));
	CHECK(st.st_nlink == 2, "link: nlink %lu", (unsigned long)st.st_nlink);
	ERRNO(link("d", "dl"), EPERM);
	ERRNO(link("g", "d/f"), EEXIST);
	ERRNO(link("missing", "x"), ENOENT);
	/* Symbolic links. */
	OK(symlink("d/f", "s"));
	OK(symlink("nowhere", "dangling"));
	char buf[64];
	ssize_t n = readlink("s", buf, sizeof buf);
	CHECK(n == 3 && !memcmp(buf, "d/f", 3), "readlink");
	ERRNO(readlink("g", buf, sizeof buf), EINVAL);
	ERRNO(symlink("", "empty"), ENOENT);
	ERRNO(symlink("x", "s"), EEXIST);
	OK(lstat("s", &st));
	CHECK(S_ISLNK(st.st_mode) && st.st_size == 3, "lstat symlink: mode %o size %lld", st.st_mode, (long long)st.st_size);
	ERRNO(stat("dangling", &st), ENOENT);
	ERRNO(open("s", O_RDONLY | O_NOFOLLOW), ELOOP);
	int fd = open("dangling", O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0, "O_CREAT through a dangling link: %s", strerror(errno));
	close(fd);
	OK(stat("nowhere", &st));
	OK(symlink("loop2", "loop1"));
	OK(symlink("loop1", "loop2"));
	ERRNO(open("loop1", O_RDONLY), ELOOP);
	/* Renames. */
	ERRNO(rename("d", "d/sub"), EINVAL);
	ERRNO(rename("e", "g"), ENOTDIR);
	ERRNO(rename("g", "e"), EISDIR);
	ERRNO(rename("e", "d"), ENOTEMPTY);
	ERRNO(rename("missing", "x"), ENOENT);
	ERRNO(rename("g/", "x"), ENOTDIR);
	ERRNO(rename("d/.", "x"), EBUSY);
	ERRNO(renameat2(AT_FDCWD, "g", AT_FDCWD, "d/f", RENAME_NOREPLACE), EEXIST);
	ERRNO(renameat2(AT_FDCWD, "g", AT_FDCWD, "absent", RENAME_EXCHANGE), ENOENT);
	ERRNO(renameat2(AT_FDCWD, "g", AT_FDCWD, "x", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	ERRNO(renameat2(AT_FDCWD, "g", AT_FDCWD, "x", 8), EINVAL);
	OK(rename("g", "d/f")); /* two names of one file: nothing happens */
	OK(stat("g", &st));
	OK(rename("g", "h"));
	ERRNO(stat("g", &st), ENOENT);
	OK(mkdir("e/sub", 0700));
	OK(rename("e/sub", "d/sub"));
	OK(stat("e", &st));
	CHECK(st.st_nlink == 2, "source dir nlink %lu", (unsigned long)st.st_nlink);
	OK(stat("d", &st));
	CHECK(st.st_nlink == 3, "target dir nlink %lu", (unsigned long)st.st_nlink);
	OK(renameat2(AT_FDCWD, "d", AT_FDCWD, "e", RENAME_EXCHANGE));
	OK(stat("e/sub", &st));
	OK(rmdir("d"));
	OK(rename("h", "e/f")); /* the same file again: both names stay */
	OK(stat("h", &st));
	close(open("h2", O_CREAT | O_WRONLY, 0600));
	OK(rename("h2", "e/f")); /* replaces */
	OK(stat("e/f", &st));
	CHECK(st.st_nlink == 1 && (st.st_mode & 0777) == 0600, "replaced: nlink %lu", (unsigned long)st.st_nlink);
	OK(stat("h", &st));
	CHECK(st.st_nlink == 1, "the replaced file's other name: nlink %lu", (unsigned long)st.st_nlink);
	char cwd[128];
	CHECK(getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/tmp/names"), "getcwd %s", cwd);
	OK(mkdir("gone", 0755));
	OK(chdir("gone"));
	OK(rmdir("../gone"));
	ERRNO(open("new", O_CREAT | O_WRONLY, 0600), ENOENT);
	ERRNO(mkdir("new", 0755), ENOENT);
	chdir("/tmp/names");
	/* /proc is not the initrd: nothing is made or removed there. */
	ERRNO(mkdir("/proc/x", 0755), ENOENT);
}

static void t_attrs(void) {
	fresh("attrs");
	struct stat st;
	mode_t old = umask(027);
	int fd = open("f", O_CREAT | O_RDWR, 0777);
	CHECK(fd >= 0, "create");
	OK(fstat(fd, &st));
	CHECK((st.st_mode & 0777) == 0750, "umask 027 on 0777: %o", st.st_mode & 0777);
	CHECK(umask(old) == 027, "umask returned the old mask");
	umask(027);
	OK(mkdir("d", 01777));
	umask(old);
	OK(stat("d", &st));
	CHECK((st.st_mode & 07777) == (01777 & ~027), "mkdir keeps the sticky bit: %o", st.st_mode & 07777);
	OK(chmod("f", 04755));
	OK(stat("f", &st));
	CHECK((st.st_mode & 07777) == 04755, "chmod: %o", st.st_mode & 07777);
	OK(fchmod(fd, 0600));
	OK(fchmodat(AT_FDCWD, "f", 0644, 0));
	OK(chown("f", 1000, 100));
	OK(stat("f", &st));
	CHECK(st.st_uid == 1000 && st.st_gid == 100 && (st.st_mode & 07777) == 0644, "chown: %u:%u %o", st.st_uid, st.st_gid, st.st_mode);
	OK(fchown(fd, -1, 0));
	OK(stat("f", &st));
	CHECK(st.st_uid == 1000 && st.st_gid == 0, "fchown -1: %u:%u", st.st_uid, st.st_gid);
	OK(symlink("f", "l"));
	OK(lchown("l", 7, 7));
	OK(lstat("l", &st));
	CHECK(st.st_uid == 7, "lchown changed the link: %u", st.st_uid);
	OK(stat("l", &st));
	CHECK(st.st_uid == 1000, "lchown changed the target");
	/* chown of an executable drops set-user-ID, even for root. */
	OK(chmod("f", 04755));
	OK(chown("f", 0, 0));
	OK(stat("f", &st));
	CHECK((st.st_mode & 07777) == 0755, "chown kept set-user-ID: %o", st.st_mode & 07777);
	/* Times. */
	struct timespec ts[2] = {{1000000000, 5}, {1500000000, 6}};
	OK(utimensat(AT_FDCWD, "f", ts, 0));
	OK(stat("f", &st));
	CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 5 && st.st_mtim.tv_sec == 1500000000 &&
	      st.st_mtim.tv_nsec == 6, "utimensat: %ld.%ld %ld.%ld", st.st_atim.tv_sec, st.st_atim.tv_nsec,
	      st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
	OK(utimensat(AT_FDCWD, "f", omit, 0));
	OK(stat("f", &st));
	CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec > 1500000000, "UTIME_OMIT/UTIME_NOW");
	struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
	ERRNO(utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
	ERRNO(utimensat(AT_FDCWD, "f", NULL, 0x8000), EINVAL);
	OK(futimens(fd, NULL));
	struct timeval tv[2] = {{7, 1}, {8, 2}};
	OK(utimes("f", tv));
	OK(stat("f", &st));
	CHECK(st.st_atim.tv_sec == 7 && st.st_atim.tv_nsec == 1000 && st.st_mtim.tv_sec == 8, "utimes");
	/* A write stamps mtime and ctime. */
	OK(write(fd, "x", 1));
	OK(fstat(fd, &st));
	CHECK(st.st_mtim.tv_sec > 8, "write did not stamp mtime");
	/* Root may read and write anything; execute needs an x bit. */
	OK(chmod("f", 0));
	OK(access("f", R_OK | W_OK));
	ERRNO(access("f", X_OK), EACCES);
	OK(chmod("f", 0010));
	OK(access("f", X_OK));
	struct statfs sf;
	OK(statfs(".", &sf));
	CHECK(sf.f_type == 0x01021994 && sf.f_bsize == 4096 && sf.f_namelen == 255, "statfs: type %#lx", (long)sf.f_type);
	OK(statfs("/proc", &sf));
	CHECK(sf.f_type == 0x9fa0, "statfs /proc: type %#lx", (long)sf.f_type);
	close(fd);
}

/* getdents64 on a directory that changes between reads: each entry that
   stays is seen once. */
static void t_dir(void) {
	fresh("dir");
	char name[16];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "f%02d", i);
		close(open(name, O_CREAT | O_WRONLY, 0644));
	}
	DIR *d = opendir(".");
	CHECK(d != NULL, "opendir");
	int seen[40] = {0}, dots = 0, extra = 0, count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else if (e->d_name[0] == 'f')
			seen[atoi(e->d_name + 1)]++;
		else
			extra++;
		if (++count == 10) { /* mid-way: remove some, add some */
			for (int i = 0; i < 40; i += 2) {
				snprintf(name, sizeof name, "f%02d", i);
				unlink(name);
			}
			close(open("new", O_CREAT | O_WRONLY, 0644));
		}
	}
	closedir(d);
	CHECK(dots == 2, "dots %d", dots);
	for (int i = 1; i < 40; i += 2)
		CHECK(seen[i] == 1, "f%02d seen %d times", i, seen[i]);
	for (int i = 0; i < 40; i++)
		CHECK(seen[i] <= 1, "f%02d seen twice", i);
	CHECK(extra <= 1, "extra %d", extra);
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	char tiny[8];
	ERRNO(syscall(SYS_getdents64, fd, tiny, sizeof tiny), EINVAL);
	ERRNO(read(fd, tiny, 1), EISDIR);
	ERRNO(open("f01", O_RDONLY | O_DIRECTORY), ENOTDIR);
	ERRNO(open(".", O_WRONLY), EISDIR);
	close(fd);
}

/* A file written, renamed, mapped and read back; stores through a shared
   mapping reach read(), and write() reaches the mapping. */
static void t_mmap(void) {
	fresh("mmap");
	int fd = open("a", O_CREAT | O_RDWR, 0644);
	char page[4096];
	for (int i = 0; i < 4096; i++)
		page[i] = 'a' + i % 26;
	CHECK(write(fd, page, 4096) == 4096 && write(fd, "tail", 4) == 4, "write");
	OK(rename("a", "b"));
	close(fd);
	fd = open("b", O_RDWR);
	CHECK(fd >= 0, "open renamed");
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	CHECK(!memcmp(m, page, 4096) && !memcmp(m + 4096, "tail", 4) && m[4100] == 0, "mapping reads the file");
	memcpy(m + 10, "STORE", 5);
	char buf[16];
	CHECK(pread(fd, buf, 5, 10) == 5 && !memcmp(buf, "STORE", 5), "read sees a store through the mapping");
	CHECK(pwrite(fd, "WRITE", 5, 20) == 5, "pwrite");
	CHECK(!memcmp(m + 20, "WRITE", 5), "the mapping sees write()");
	OK(msync(m, 8192, MS_SYNC));
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(priv != MAP_FAILED, "private mmap");
	priv[0] = 'P';
	CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 'a', "a private store reached the file");
	munmap(priv, 4096);
	munmap(m, 8192);
	/* The file keeps its bytes when its last mapping goes. */
	CHECK(pread(fd, buf, 5, 10) == 5 && !memcmp(buf, "STORE", 5), "contents lost with the last munmap");
	/* An unlinked, closed file lives while mapped. */
	int tmp = open("gone", O_CREAT | O_RDWR, 0644);
	CHECK(write(tmp, "kept", 4) == 4, "write gone");
	char *g = mmap(NULL, 4096, PROT_READ, MAP_SHARED, tmp, 0);
	close(tmp);
	unlink("gone");
	CHECK(g != MAP_FAILED && !memcmp(g, "kept", 4), "an unlinked file read through its mapping");
	munmap(g, 4096);
	int ro = open("b", O_RDONLY);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES, "shared writable map of O_RDONLY");
	close(ro);
	close(fd);
	/* A program copied to /tmp runs from there. */
	int in = open("/bin/hello", O_RDONLY), out = open("hello", O_CREAT | O_WRONLY, 0755);
	CHECK(in >= 0 && out >= 0, "copy open");
	ssize_t n;
	static char big[65536];
	while ((n = read(in, big, sizeof big)) > 0)
		CHECK(write(out, big, n) == n, "copy write");
	close(in);
	close(out);
	int pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execl("/tmp/mmap/hello", "hello", "0", NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "copied program: status %#x", status);
	/* Run again: its first run's mappings went and the file stays whole. */
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execl("/tmp/mmap/hello", "hello", "0", NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "copied program, second run: status %#x", status);
}

static void t_mount(void) {
	mkdir("/tmp/mnt", 0755);
	OK(mount("scratch", "/tmp/mnt", "tmpfs", MS_NOSUID, "mode=0700"));
	struct stat st;
	OK(stat("/tmp/mnt", &st));
	CHECK((st.st_mode & 07777) == 0700, "mode= option: %o", st.st_mode & 07777);
	struct stat tmp;
	OK(stat("/tmp", &tmp));
	CHECK(st.st_dev != tmp.st_dev, "a tmpfs has its own device");
	int fd = open("/tmp/mnt/f", O_CREAT | O_RDWR, 0644);
	CHECK(fd >= 0, "create in the mount: %s", strerror(errno));
	ERRNO(rename("/tmp/mnt/f", "/tmp/f"), EXDEV);
	ERRNO(link("/tmp/mnt/f", "/tmp/f"), EXDEV);
	ERRNO(rmdir("/tmp/mnt"), EBUSY);
	ERRNO(umount("/tmp/mnt"), EBUSY);
	close(fd);
	char buf[4096];
	int m = open("/proc/mounts", O_RDONLY);
	ssize_t n = read(m, buf, sizeof buf - 1);
	close(m);
	CHECK(n > 0 && (buf[n] = 0, strstr(buf, "scratch /tmp/mnt tmpfs rw,nosuid")), "/proc/mounts: %s", buf);
	struct statfs sf;
	OK(statfs("/tmp/mnt", &sf));
	CHECK(sf.f_type == 0x01021994 && (sf.f_flags & ST_NOSUID), "statfs: type %#lx flags %#lx", (long)sf.f_type, (long)sf.f_flags);
	/* Remounting changes what the tree allows: noexec, then read-only. */
	int x = open("/tmp/mnt/prog", O_CREAT | O_WRONLY, 0755);
	CHECK(x >= 0 && write(x, "#!/bin/sh\n", 10) == 10, "script");
	close(x);
	OK(access("/tmp/mnt/prog", X_OK));
	OK(mount("", "/tmp/mnt", "", MS_REMOUNT | MS_NOEXEC, NULL));
	ERRNO(access("/tmp/mnt/prog", X_OK), EACCES);
	ERRNO(execl("/tmp/mnt/prog", "prog", NULL), EACCES);
	x = open("/tmp/mnt/prog", O_RDONLY);
	CHECK(mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, x, 0) == MAP_FAILED && errno == EPERM, "mmap PROT_EXEC on noexec: %s", strerror(errno));
	close(x);
	OK(statfs("/tmp/mnt", &sf));
	CHECK(sf.f_flags & ST_NOEXEC, "statfs after remount: flags %#lx", (long)sf.f_flags);
	OK(mount("", "/tmp/mnt", "", MS_REMOUNT | MS_RDONLY, NULL));
	ERRNO(open("/tmp/mnt/new", O_CREAT | O_WRONLY, 0644), EROFS);
	ERRNO(open("/tmp/mnt/prog", O_WRONLY), EROFS);
	ERRNO(mkdir("/tmp/mnt/d", 0755), EROFS);
	ERRNO(mkdir("/tmp/mnt/prog", 0755), EEXIST);
	ERRNO(unlink("/tmp/mnt/prog"), EROFS);
	ERRNO(chmod("/tmp/mnt/prog", 0700), EROFS);
	ERRNO(access("/tmp/mnt/prog", W_OK), EROFS);
	OK(access("/tmp/mnt/prog", R_OK));
	ERRNO(mount("", "/tmp", "", MS_REMOUNT, NULL), EINVAL);
	OK(mount("", "/tmp/mnt", "", MS_REMOUNT, NULL));
	OK(unlink("/tmp/mnt/prog"));
	ERRNO(umount("/tmp"), EINVAL);
	ERRNO(umount2("/tmp/mnt", 0x100), EINVAL);
	ERRNO(mount("x", "/tmp/mnt", "nosuchfs", 0, NULL), ENODEV);
	ERRNO(mount("x", "/tmp/absent", "tmpfs", 0, NULL), ENOENT);
	OK(umount("/tmp/mnt"));
	ERRNO(stat("/tmp/mnt/f", &st), ENOENT);
	/* size= bounds what the files of a tmpfs hold. */
	OK(mount("small", "/tmp/mnt", "tmpfs", 0, "size=64k"));
	OK(statfs("/tmp/mnt", &sf));
	CHECK(sf.f_blocks == 16 && sf.f_bfree == 16, "size=64k: %ld blocks, %ld free", (long)sf.f_blocks, (long)sf.f_bfree);
	static char chunk[100000];
	int s = open("/tmp/mnt/fill", O_CREAT | O_WRONLY, 0644);
	CHECK(write(s, chunk, sizeof chunk) == 65536, "a write past size= is cut at it");
	ERRNO(write(s, chunk, 1), ENOSPC);
	close(s);
	OK(unlink("/tmp/mnt/fill"));
	OK(statfs("/tmp/mnt", &sf));
	CHECK(sf.f_bfree == 16, "space back after unlink: %ld", (long)sf.f_bfree);
	ERRNO(mount("bad", "/tmp/mnt", "tmpfs", 0, "size=12q"), EINVAL);
	OK(umount("/tmp/mnt"));
	OK(rmdir("/tmp/mnt"));
}

static void t_devices(void) {
	fresh("dev");
	char buf[16];
	int z = open("/dev/zero", O_RDWR);
	memset(buf, 1, sizeof buf);
	CHECK(z >= 0 && read(z, buf, 16) == 16 && !memcmp(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16), "/dev/zero");
	CHECK(write(z, buf, 16) == 16, "write /dev/zero");
	int f = open("/dev/full", O_WRONLY);
	ERRNO(write(f, "x", 1), ENOSPC);
	/* A read of a device or file that never waits fills the request. */
	static char big[1 << 20];
	CHECK(read(z, big, sizeof big) == sizeof big, "1 MiB read of /dev/zero came short");
	int bf = open("bigfile", O_CREAT | O_RDWR, 0644);
	CHECK(write(bf, big, 300000) == 300000 && lseek(bf, 0, SEEK_SET) == 0 && read(bf, big, sizeof big) == 300000,
	      "a 300000-byte file read whole");
	close(bf);
	int u = open("/dev/urandom", O_RDONLY);
	CHECK(u >= 0 && read(u, buf, 16) == 16, "/dev/urandom");
	struct stat st;
	OK(stat("/dev/null", &st));
	CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3, "/dev/null: %o %u:%u", st.st_mode, major(st.st_rdev), minor(st.st_rdev));
	OK(mknod("mynull", S_IFCHR | 0666, makedev(1, 3)));
	int n = open("mynull", O_WRONLY);
	CHECK(n >= 0 && write(n, "gone", 4) == 4, "mknod'd null: %s", strerror(errno));
	OK(mknod("fifo", S_IFIFO | 0600, 0));
	OK(stat("fifo", &st));
	CHECK(S_ISFIFO(st.st_mode), "fifo mode %o", st.st_mode);
	OK(mknod("plain", 0644, 0));
	OK(stat("plain", &st));
	CHECK(S_ISREG(st.st_mode), "mknod type 0 is a regular file: %o", st.st_mode);
	ERRNO(mknod("dir", S_IFDIR | 0755, 0), EPERM);
	ERRNO(mknod("bad", 0170000 | 0644, 0), EINVAL);
	OK(mknod("nodrv", S_IFCHR | 0600, makedev(250, 0)));
	ERRNO(open("nodrv", O_RDONLY), ENODEV);
	OK(mknod("nominor", S_IFCHR | 0600, makedev(1, 250)));
	ERRNO(open("nominor", O_RDONLY), ENXIO);
	close(z), close(f), close(u), close(n);
}

static struct { const char *name; void (*fn)(void); } tests[] = {
	{"files", t_files}, {"names", t_names}, {"attrs", t_attrs}, {"dir", t_dir},
	{"mmap", t_mmap}, {"mount", t_mount}, {"devices", t_devices},
};

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Linux's rdinit starts with no /proc; here it is always there. */
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL); /* Linux's /dev/null and friends */
	int n = 0, bad = 0;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		int want = argc < 2;
		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], tests[i].name) || !strcmp(argv[a], "all");
		if (!want)
			continue;
		current = tests[i].name, failed = 0, n++;
		tests[i].fn();
		if (failed)
			bad++;
		else
			printf("fstest: %s ok\n", current);
	}
	printf("fstest: %d of %d passed\n", n - bad, n);
	return bad ? 1 : 0;
}
