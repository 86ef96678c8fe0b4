Unicode true

####
## Cecyber's Windows installer. `make build-windows` (or, on Windows,
## `wails build -platform windows/amd64 -nsis`) compiles it with makensis after
## building the app; Wails regenerates wails_tools.nsh next to it on every build
## from wails.json (name, company, version, copyright), so edit this file only.
##
## To run makensis by hand after one such build:
## > makensis -DARG_WAILS_AMD64_BINARY=..\..\bin\cecyber.exe project.nsi
## -DCECYBER_SIGN=COMMAND signs the installer and the uninstaller it writes:
## makensis runs `COMMAND "file"` on each once it is written (tools/sign-windows.sh
## with osslsigncode on Linux, a signtool wrapper on Windows).
####
!define INFO_PROJECTNAME    "cecyber"
!define PRODUCT_EXECUTABLE  "cecyber.exe"
!define UNINST_KEY_NAME     "Cecyber"
## Installs for every user into Program Files, so it asks for administrator
## rights once; the app itself runs as the user (asInvoker in its manifest).
!define REQUEST_EXECUTION_LEVEL "admin"

!include "wails_tools.nsh"

SetCompressor /SOLID lzma

# The version information for this two must consist of 4 parts
VIProductVersion "${INFO_PRODUCTVERSION}.0"
VIFileVersion    "${INFO_PRODUCTVERSION}.0"

VIAddVersionKey "CompanyName"     "${INFO_COMPANYNAME}"
VIAddVersionKey "FileDescription" "${INFO_PRODUCTNAME} Installer"
VIAddVersionKey "ProductVersion"  "${INFO_PRODUCTVERSION}"
VIAddVersionKey "FileVersion"     "${INFO_PRODUCTVERSION}"
VIAddVersionKey "LegalCopyright"  "${INFO_COPYRIGHT}"
VIAddVersionKey "ProductName"     "${INFO_PRODUCTNAME}"

# Enable HiDPI support. https://nsis.sourceforge.io/Reference/ManifestDPIAware
ManifestDPIAware true

!ifdef CECYBER_SIGN
    !finalize '"${CECYBER_SIGN}" "%1"'
    !uninstfinalize '"${CECYBER_SIGN}" "%1"'
!endif

!include "MUI.nsh"

!define MUI_ICON "..\icon.ico"
!define MUI_UNICON "..\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_NOAUTOCLOSE
!define MUI_WELCOMEPAGE_TEXT "$(CECYBER_WELCOME)"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "..\..\..\LICENSE"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "PortugueseBR"

LangString CECYBER_WELCOME ${LANG_ENGLISH} "This will install ${INFO_PRODUCTNAME} ${INFO_PRODUCTVERSION}, a desktop client for Proxmox VE, for every user of this computer.$\r$\n$\r$\nIf the Microsoft Edge WebView2 Runtime is missing, the installer downloads it from Microsoft and installs it (Windows 11 and up-to-date Windows 10 already have it).$\r$\n$\r$\nClick Next to continue."
LangString CECYBER_WELCOME ${LANG_PORTUGUESEBR} "Este assistente vai instalar o ${INFO_PRODUCTNAME} ${INFO_PRODUCTVERSION}, um cliente desktop para o Proxmox VE, para todos os usuários deste computador.$\r$\n$\r$\nSe o Microsoft Edge WebView2 Runtime não estiver instalado, o instalador o baixa da Microsoft e o instala (o Windows 11 e o Windows 10 atualizado já o têm).$\r$\n$\r$\nClique em Avançar para continuar."

Name "${INFO_PRODUCTNAME}"
OutFile "..\..\bin\cecyber-${ARCH}-installer.exe"
InstallDir "$PROGRAMFILES64\${INFO_PRODUCTNAME}"
ShowInstDetails show
ShowUninstDetails show

Function .onInit
    !insertmacro wails.checkArchitecture
    # Installing again (an upgrade) goes where the first install went.
    SetRegView 64
    ReadRegStr $0 HKLM "${UNINST_KEY}" "InstallLocation"
    ${If} $0 != ""
        StrCpy $INSTDIR $0
    ${EndIf}
FunctionEnd

Function un.onInit
    SetRegView 64
FunctionEnd

Section
    !insertmacro wails.setShellContext

    # Runs Microsoft's WebView2 bootstrapper (bundled by Wails, 1.7 MB) only
    # when the runtime is not installed; the bootstrapper downloads it.
    !insertmacro wails.webview2runtime

    SetOutPath $INSTDIR

    !insertmacro wails.files

    # One Start menu entry for every user; no desktop shortcut.
    CreateShortcut "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk" "$INSTDIR\${PRODUCT_EXECUTABLE}" "" "$INSTDIR\${PRODUCT_EXECUTABLE}" 0 SW_SHOWNORMAL "" "${INFO_PRODUCTNAME}: Proxmox VE desktop client"

    !insertmacro wails.associateFiles
    !insertmacro wails.associateCustomProtocols

    !insertmacro wails.writeUninstaller
    WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
    WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "uninstall"
    !insertmacro wails.setShellContext

    # Only the program goes. Each user's clusters and metric history
    # (%APPDATA%\Cecyber) and the token secrets in the Credential Manager stay,
    # so that reinstalling or upgrading keeps them.
    Delete "$INSTDIR\${PRODUCT_EXECUTABLE}"

    Delete "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk"

    !insertmacro wails.unassociateFiles
    !insertmacro wails.unassociateCustomProtocols

    !insertmacro wails.deleteUninstaller
    RMDir "$INSTDIR"
SectionEnd
