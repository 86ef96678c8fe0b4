/*
 * bcryptprimitives.dll for Wine 8.0 (Debian 12), which lacks it.
 *
 * Go 1.22 and later load ProcessPrng from bcryptprimitives.dll before main,
 * and every Go Windows binary dies under Wine 8.0 with "fatal error:
 * bcryptprimitives.dll not found". This one-function DLL answers
 * ProcessPrng with advapi32's RtlGenRandom (SystemFunction036), the same
 * system random source, in chunks because RtlGenRandom takes a ULONG length.
 * It is a test tool: make test-windows builds it with MinGW and copies it
 * into a private WINEPREFIX; it never ships with Cecyber.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst;
	(void)reason;
	(void)reserved;
	return TRUE;
}
