// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * injector.c - emulated confidential-computing secret injection for test-vm.
 *
 * A UEFI application (gnu-efi) that OVMF runs from \EFI\BOOT\BOOTX64.EFI. It plays
 * the part that OVMF's AmdSev SecretDxe plus the SEV launch-secret injection play on
 * real hardware, and nothing more:
 *
 *   1. read the QEMU fw_cfg file "opt/org.cocosecret/secret-table" (through the
 *      legacy I/O ports 0x510/0x511) straight into pages allocated as
 *      EfiReservedMemoryType, so the OS never reuses them and no temporary copy of
 *      the secret exists;
 *   2. put struct { UINT64 base_pa; UINT64 size; } in EfiACPIReclaimMemory and
 *      install it as the configuration table LINUX_EFI_COCO_SECRET_AREA_GUID;
 *   3. chain-load \vmlinuz (the kernel's EFI stub) from the ESP it came from, with
 *      LoadOptions taken from fw_cfg "opt/org.cocosecret/cmdline".
 *
 * Without the secret-table file nothing is installed: a non-confidential boot.
 * Everything after StartImage() is the real kernel and its efi_secret module.
 *
 * With the fw_cfg file "opt/org.cocosecret/inject-once", the table is injected on
 * the first boot only, as a SEV launch secret is injected once at launch: on a
 * later boot of the same VM (after a reset; a non-volatile variable remembers)
 * the area holds the table as Linux's unlink leaves it, every entry wiped.
 */
#include <efi.h>
#include <efilib.h>

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_MAX_FILE_PATH	56

#define FILE_SECRET_TABLE	"opt/org.cocosecret/secret-table"
#define FILE_INJECT_ONCE	"opt/org.cocosecret/inject-once"
#define VAR_INJECTED		L"CocoSecretInjected"
#define FILE_CMDLINE		"opt/org.cocosecret/cmdline"
#define KERNEL_PATH		L"\\vmlinuz"
#define DEFAULT_CMDLINE		"console=ttyS0 initrd=\\initrd.img"

#define MAX_TABLE_SIZE		(1024 * 1024)
#define MAX_CMDLINE_SIZE	4096

#define LOG(fmt, ...)	Print(L"cocosecret-injector: " fmt L"\n", ##__VA_ARGS__)

/* LINUX_EFI_COCO_SECRET_AREA_GUID adf956ad-e98c-484c-ae11-b51c7d336447 */
static EFI_GUID coco_secret_area_guid = {
	0xadf956ad, 0xe98c, 0x484c, { 0xae, 0x11, 0xb5, 0x1c, 0x7d, 0x33, 0x64, 0x47 }
};

/* EFI_SECRET_TABLE_HEADER_GUID 1e74f542-71dd-4d66-963e-ef4287ff173b */
/* the vendor GUID of the injector's own variable */
static EFI_GUID injector_var_guid = {
	0x6d1f3a52, 0x8c4e, 0x4b7a, { 0x9e, 0x21, 0x3f, 0x5c, 0x7d, 0x0a, 0xb4, 0x68 }
};

static EFI_GUID secret_table_header_guid = {
	0x1e74f542, 0x71dd, 0x4d66, { 0x96, 0x3e, 0xef, 0x42, 0x87, 0xff, 0x17, 0x3b }
};

/* What Linux reads through the configuration table (struct linux_efi_coco_secret_area). */
struct coco_secret_area {
	UINT64 base_pa;
	UINT64 size;
};

/* One entry of the fw_cfg file directory; all integers big-endian. */
struct fw_cfg_file {
	UINT32 size;
	UINT16 select;
	UINT16 reserved;
	CHAR8 name[FW_CFG_MAX_FILE_PATH];
};

static inline void outw(UINT16 port, UINT16 val)
{
	__asm__ volatile("outw %0, %1" : : "a"(val), "Nd"(port));
}

static inline UINT8 inb(UINT16 port)
{
	UINT8 val;

	__asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static UINT32 be32(UINT32 v)
{
	return __builtin_bswap32(v);
}

static UINT16 be16(UINT16 v)
{
	return __builtin_bswap16(v);
}

static void fw_cfg_select(UINT16 key)
{
	outw(FW_CFG_PORT_SEL, key);
}

/* Read LEN bytes of the selected item, continuing where the last read stopped. */
static void fw_cfg_read(void *buf, UINTN len)
{
	UINT8 *p = buf;

	while (len--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static BOOLEAN fw_cfg_present(void)
{
	CHAR8 sig[4];

	fw_cfg_select(FW_CFG_SIGNATURE);
	fw_cfg_read(sig, sizeof(sig));
	return sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
}

static BOOLEAN name_eq(const CHAR8 *a, const char *b)
{
	UINTN i;

	for (i = 0; i < FW_CFG_MAX_FILE_PATH; i++) {
		if (a[i] != (CHAR8)b[i])
			return FALSE;
		if (!b[i])
			return TRUE;
	}
	return FALSE;
}

/* Look NAME up in the fw_cfg file directory; on success the file is selected. */
static BOOLEAN fw_cfg_find(const char *name, UINT32 *size)
{
	struct fw_cfg_file f;
	UINT32 count, i;

	fw_cfg_select(FW_CFG_FILE_DIR);
	fw_cfg_read(&count, sizeof(count));
	count = be32(count);
	for (i = 0; i < count; i++) {
		fw_cfg_read(&f, sizeof(f));
		if (name_eq(f.name, name)) {
			*size = be32(f.size);
			fw_cfg_select(be16(f.select));
			return TRUE;
		}
	}
	return FALSE;
}

static void wipe(void *p, UINTN len)
{
	volatile UINT8 *v = p;

	while (len--)
		*v++ = 0;
}

/*
 * Leave the table as efi_secret's unlink(2) leaves it: every entry's data zeroed
 * and its GUID nulled (the header and the lengths stay).
 */
static void consume_table(UINT8 *table, UINT32 size)
{
	UINT32 len, off, elen;

	CopyMem(&len, table + 16, sizeof(len));
	if (len > size)
		len = size;
	for (off = 20; off + 20 <= len; off += elen) {
		CopyMem(&elen, table + off + 16, sizeof(elen));
		if (elen < 20 || elen > len - off)
			break;
		wipe(table + off, 16);
		wipe(table + off + 20, elen - 20);
	}
}

/* inject-once: was the table injected on an earlier boot of this VM? Remember it. */
static BOOLEAN injected_before(void)
{
	UINT8 val = 1;
	UINTN sz = sizeof(val);
	EFI_STATUS st;

	st = uefi_call_wrapper(RT->GetVariable, 5, VAR_INJECTED, &injector_var_guid, NULL,
			       &sz, &val);
	if (!EFI_ERROR(st))
		return TRUE;
	val = 1;
	st = uefi_call_wrapper(RT->SetVariable, 5, VAR_INJECTED, &injector_var_guid,
			       EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS,
			       sizeof(val), &val);
	if (EFI_ERROR(st))
		LOG(L"SetVariable failed: %r (inject-once cannot remember)", st);
	return FALSE;
}

/*
 * Inject the secret table if fw_cfg has one. Returns EFI_NOT_FOUND when there is
 * none (not an error: the VM is simply not "confidential").
 */
static EFI_STATUS install_secret_area(void)
{
	EFI_PHYSICAL_ADDRESS base = 0;
	struct coco_secret_area *area = NULL;
	UINTN pages;
	UINT32 size, once_size;
	EFI_STATUS st;

	if (!fw_cfg_find(FILE_SECRET_TABLE, &size))
		return EFI_NOT_FOUND;
	if (size < 20 || size > MAX_TABLE_SIZE) {
		LOG(L"secret table has a bad size (%u bytes), not installed", size);
		return EFI_INVALID_PARAMETER;
	}

	pages = EFI_SIZE_TO_PAGES(size);
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiReservedMemoryType,
			       pages, &base);
	if (EFI_ERROR(st)) {
		LOG(L"AllocatePages(EfiReservedMemoryType) failed: %r", st);
		return st;
	}
	/*
	 * The secret goes from the I/O port straight into its final place: there is no
	 * temporary copy to wipe. The tail of the last page stays zero.
	 */
	ZeroMem((void *)(UINTN)base, pages * EFI_PAGE_SIZE);
	fw_cfg_read((void *)(UINTN)base, size);

	if (CompareMem((void *)(UINTN)base, &secret_table_header_guid, sizeof(EFI_GUID)))
		LOG(L"warning: table header GUID is not the EFI secret table's (installing anyway)");
	if (fw_cfg_find(FILE_INJECT_ONCE, &once_size) && injected_before()) {
		consume_table((UINT8 *)(UINTN)base, size);
		LOG(L"inject-once: injected at launch already; the area holds the wiped table");
	}

	st = uefi_call_wrapper(BS->AllocatePool, 3, EfiACPIReclaimMemory, sizeof(*area),
			       (void **)&area);
	if (EFI_ERROR(st)) {
		LOG(L"AllocatePool(EfiACPIReclaimMemory) failed: %r", st);
		goto fail;
	}
	area->base_pa = base;
	area->size = pages * EFI_PAGE_SIZE;

	st = uefi_call_wrapper(BS->InstallConfigurationTable, 2, &coco_secret_area_guid, area);
	if (EFI_ERROR(st)) {
		LOG(L"InstallConfigurationTable failed: %r", st);
		goto fail;
	}
	LOG(L"secret table of %u bytes at 0x%lx (area 0x%lx bytes), config table at 0x%lx",
	    size, base, area->size, (UINT64)(UINTN)area);
	return EFI_SUCCESS;

fail:
	if (area)
		uefi_call_wrapper(BS->FreePool, 1, area);
	wipe((void *)(UINTN)base, pages * EFI_PAGE_SIZE);
	uefi_call_wrapper(BS->FreePages, 2, base, pages);
	return st;
}

/* The kernel command line as a NUL-terminated UCS-2 string in pool memory. */
static CHAR16 *read_cmdline(UINTN *bytes)
{
	CHAR8 buf[MAX_CMDLINE_SIZE];
	CHAR16 *out;
	UINT32 size;
	UINTN i, n;

	if (fw_cfg_find(FILE_CMDLINE, &size)) {
		n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
		fw_cfg_read(buf, n);
	} else {
		LOG(L"no fw_cfg %a, using \"%a\"", FILE_CMDLINE, DEFAULT_CMDLINE);
		n = sizeof(DEFAULT_CMDLINE) - 1;
		CopyMem(buf, DEFAULT_CMDLINE, n);
	}
	/* Stop at a NUL and drop trailing newlines/spaces. */
	for (i = 0; i < n; i++)
		if (!buf[i])
			break;
	n = i;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;

	out = AllocatePool((n + 1) * sizeof(CHAR16));
	if (!out)
		return NULL;
	for (i = 0; i < n; i++)
		out[i] = buf[i];
	out[n] = 0;
	*bytes = (n + 1) * sizeof(CHAR16);
	return out;
}

static EFI_STATUS boot_kernel(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *self, *child;
	EFI_DEVICE_PATH *path;
	EFI_HANDLE kernel;
	CHAR16 *cmdline;
	UINTN cmdline_size = 0;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
			       (void **)&self);
	if (EFI_ERROR(st)) {
		LOG(L"no LoadedImage protocol: %r", st);
		return st;
	}
	path = FileDevicePath(self->DeviceHandle, KERNEL_PATH);
	if (!path)
		return EFI_OUT_OF_RESOURCES;
	st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, path, NULL, 0, &kernel);
	FreePool(path);
	if (EFI_ERROR(st)) {
		LOG(L"LoadImage(%s) failed: %r", KERNEL_PATH, st);
		return st;
	}

	cmdline = read_cmdline(&cmdline_size);
	if (!cmdline)
		return EFI_OUT_OF_RESOURCES;
	st = uefi_call_wrapper(BS->HandleProtocol, 3, kernel, &LoadedImageProtocol,
			       (void **)&child);
	if (EFI_ERROR(st)) {
		LOG(L"no LoadedImage protocol on the kernel: %r", st);
		return st;
	}
	child->LoadOptions = cmdline;
	child->LoadOptionsSize = (UINT32)cmdline_size;

	LOG(L"starting %s %s", KERNEL_PATH, cmdline);
	st = uefi_call_wrapper(BS->StartImage, 3, kernel, NULL, NULL);
	LOG(L"kernel returned: %r", st);
	return st;
}

/* gnu-efi's crt0 relocates the image and calls this with the SysV ABI (not EFIAPI). */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_STATUS st;

	InitializeLib(image, systab);

	if (!fw_cfg_present()) {
		LOG(L"no QEMU fw_cfg: booting without a secret area");
	} else {
		st = install_secret_area();
		if (st == EFI_NOT_FOUND)
			LOG(L"no %a: booting without a secret area", FILE_SECRET_TABLE);
		else if (EFI_ERROR(st))
			return st;
	}
	return boot_kernel(image);
}
