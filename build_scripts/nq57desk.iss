; Inno Setup 6.3+ script for nq57desk: a per-user install (no administrator rights), Vietnamese wizard.
;
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=dist\nq57desk /DOutputDir=dist build_scripts\nq57desk.iss
;
; build_windows.ps1 runs this after PyInstaller. Without /DAppVersion the version is read from the version resource
; of dist\nq57desk\nq57desk.exe, which nq57desk.spec wrote from pyproject.toml: one version, one source.
;
; Language: Inno Setup bundles no Vietnamese translation (Vietnamese.isl is among the unofficial, user-contributed
; ones). When Languages\Vietnamese.isl has been added to the Inno Setup folder it is used as the base; otherwise the
; English Default.isl is. Either way, every message of this installer's pages and of the uninstaller is given in
; Vietnamese below ([Messages], [CustomMessages]), so the wizard is Vietnamese on a stock Inno Setup too.
; This file is UTF-8 with a byte order mark: Inno Setup 6 reads it as Unicode only with the mark. Keep it.

#define AppName "nq57desk"
#define AppExe "nq57desk.exe"
; The data folder, %LOCALAPPDATA%\nq57desk: platformdirs' user_data_dir("nq57desk", appauthor=False, roaming=False).
#define DataFolder "nq57desk"

#ifndef SourceDir
  #define SourceDir AddBackslash(SourcePath) + "..\dist\nq57desk"
#endif
#ifndef OutputDir
  #define OutputDir AddBackslash(SourcePath) + "..\dist"
#endif
#if !FileExists(SourceDir + "\" + AppExe)
  #error "dist\nq57desk\nq57desk.exe not found: build with build_scripts\build_windows.ps1 first"
#endif
#define AppVersionNumeric GetVersionNumbersString(SourceDir + "\" + AppExe)
#ifndef AppVersion
  #define AppVersion AppVersionNumeric
#endif

[Setup]
; AppId identifies the installation for upgrades and uninstall: never change it.
AppId={{0C67C4FC-8DEF-4DF3-9869-2C9DF97256D7}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
AppComments=Báo cáo thực hiện Nghị quyết 57-NQ/TW cho UBND cấp xã (không cần mạng)
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductName={#AppName}
VersionInfoDescription=Bộ cài đặt {#AppName}
; Per-user: no administrator rights, installed under %LOCALAPPDATA%\Programs like other per-user apps.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
UsePreviousAppDir=yes
DisableDirPage=yes
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableWelcomePage=no
; Qt 6: 64-bit Windows 10 1809 (build 17763) or later, Windows 11.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir={#OutputDir}
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
; Upgrading while the app is open: Windows' Restart Manager finds it and the wizard offers to close it.
CloseApplications=yes
CloseApplicationsFilter=*.exe,*.dll,*.pyd
RestartApplications=no
SetupLogging=yes
ShowLanguageDialog=no
LanguageDetectionMethod=none
; Drawn from resources\icons\app.svg by nq57desk.spec (build_scripts\make_icon.py).
#if FileExists(AddBackslash(SourcePath) + "..\build\icon\nq57desk.ico")
SetupIconFile=..\build\icon\nq57desk.ico
#endif

[Languages]
#if FileExists(AddBackslash(CompilerPath) + "Languages\Vietnamese.isl")
Name: "vi"; MessagesFile: "compiler:Languages\Vietnamese.isl"
#else
Name: "vi"; MessagesFile: "compiler:Default.isl"
#endif

[Messages]
SetupAppTitle=Cài đặt
SetupWindowTitle=Cài đặt %1
UninstallAppTitle=Gỡ bỏ
UninstallAppFullTitle=Gỡ bỏ %1
InformationTitle=Thông tin
ConfirmTitle=Xác nhận
ErrorTitle=Lỗi
SetupLdrStartupMessage=Chương trình sẽ cài đặt %1. Tiếp tục?
LdrCannotCreateTemp=Không tạo được tệp tạm. Đã dừng cài đặt
LdrCannotExecTemp=Không chạy được tệp trong thư mục tạm. Đã dừng cài đặt
LastErrorMessage=%1.%n%nLỗi %2: %3
SetupFileMissing=Thiếu tệp %1 trong thư mục cài đặt. Hãy chép lại bộ cài đặt.
SetupFileCorrupt=Bộ cài đặt bị hỏng. Hãy chép lại bộ cài đặt (USB có thể chép chưa hết).
SetupFileCorruptOrWrongVer=Bộ cài đặt bị hỏng hoặc không đúng phiên bản. Hãy chép lại bộ cài đặt.
InvalidParameter=Tham số dòng lệnh không hợp lệ:%n%n%1
SetupAlreadyRunning=Chương trình cài đặt đang chạy.
WindowsVersionNotSupported=Phiên bản Windows của máy này không được hỗ trợ. Cần Windows 10 (1809 trở lên) hoặc Windows 11, bản 64-bit.
WinVersionTooLowError=Cần %1 phiên bản %2 trở lên. Máy này cần Windows 10 (1809 trở lên) hoặc Windows 11, bản 64-bit.
WinVersionTooHighError=Không cài được trên %1 phiên bản %2 trở lên.
OnlyOnTheseArchitectures=Chỉ cài được trên Windows 64-bit (%1). Máy này đang chạy Windows 32-bit.
NotOnThisPlatform=Chương trình không chạy trên %1.
OnlyOnThisPlatform=Chương trình chỉ chạy trên %1.
AdminPrivilegesRequired=Cần đăng nhập bằng tài khoản quản trị để cài đặt.
SetupAppRunningError=%1 đang mở.%n%nHãy đóng %1 rồi bấm Đồng ý để tiếp tục, hoặc Hủy để thoát.
UninstallAppRunningError=%1 đang mở.%n%nHãy đóng %1 rồi bấm Đồng ý để tiếp tục, hoặc Hủy để thoát.
ErrorCreatingDir=Không tạo được thư mục "%1"
ErrorTooManyFilesInDir=Không tạo được tệp trong thư mục "%1" vì thư mục có quá nhiều tệp
ExitSetupTitle=Thoát cài đặt
ExitSetupMessage=Chưa cài đặt xong. Nếu thoát bây giờ, chương trình sẽ không được cài.%n%nCó thể chạy lại bộ cài đặt lúc khác.%n%nThoát cài đặt?
AboutSetupMenuItem=&Giới thiệu bộ cài đặt...
AboutSetupTitle=Giới thiệu bộ cài đặt
AboutSetupMessage=%1 phiên bản %2%n%3%n%nTrang chủ %1:%n%4
ButtonBack=< &Quay lại
ButtonNext=&Tiếp >
ButtonInstall=&Cài đặt
ButtonOK=Đồng ý
ButtonCancel=Hủy
ButtonYes=&Có
ButtonYesToAll=Có với &tất cả
ButtonNo=&Không
ButtonNoToAll=Kh&ông với tất cả
ButtonFinish=&Xong
ButtonBrowse=&Chọn...
ButtonWizardBrowse=C&họn...
ButtonNewFolder=&Tạo thư mục mới
ClickNext=Bấm Tiếp để tiếp tục, hoặc Hủy để thoát.
BrowseDialogTitle=Chọn thư mục
BrowseDialogLabel=Chọn một thư mục trong danh sách rồi bấm Đồng ý.
NewFolderName=Thư mục mới
WelcomeLabel1=Cài đặt [name]
WelcomeLabel2=Chương trình sẽ cài [name/ver] cho tài khoản Windows đang dùng (không cần quyền quản trị).%n%nDữ liệu báo cáo đã có trên máy được giữ nguyên; khi mở lần đầu, ứng dụng tự sao lưu cơ sở dữ liệu trước khi nâng cấp.%n%nNên đóng các chương trình khác trước khi tiếp tục.
WizardSelectDir=Chọn thư mục cài đặt
SelectDirDesc=Cài [name] vào đâu?
SelectDirLabel3=[name] sẽ được cài vào thư mục sau.
SelectDirBrowseLabel=Bấm Tiếp để tiếp tục. Muốn chọn thư mục khác thì bấm Chọn.
DiskSpaceGBLabel=Cần ít nhất [gb] GB dung lượng trống.
DiskSpaceMBLabel=Cần ít nhất [mb] MB dung lượng trống.
InvalidPath=Hãy nhập đường dẫn đầy đủ có tên ổ đĩa, ví dụ:%n%nC:\APP
InvalidDrive=Ổ đĩa đã chọn không có hoặc không truy cập được. Hãy chọn ổ khác.
DiskSpaceWarningTitle=Không đủ dung lượng
DiskSpaceWarning=Cần ít nhất %1 KB dung lượng trống nhưng ổ đĩa đã chọn chỉ còn %2 KB.%n%nVẫn tiếp tục?
DirNameTooLong=Tên thư mục hoặc đường dẫn quá dài.
InvalidDirName=Tên thư mục không hợp lệ.
BadDirName32=Tên thư mục không được chứa các ký tự sau:%n%n%1
DirExistsTitle=Thư mục đã có
DirExists=Thư mục:%n%n%1%n%nđã có. Vẫn cài vào thư mục này?
DirDoesntExistTitle=Thư mục chưa có
DirDoesntExist=Thư mục:%n%n%1%n%nchưa có. Tạo thư mục này?
WizardSelectTasks=Chọn thêm
SelectTasksDesc=Làm thêm việc gì khi cài đặt?
SelectTasksLabel2=Chọn các việc muốn làm thêm khi cài [name], rồi bấm Tiếp.
WizardReady=Sẵn sàng cài đặt
ReadyLabel1=Đã sẵn sàng cài [name] vào máy.
ReadyLabel2a=Bấm Cài đặt để bắt đầu, hoặc Quay lại để xem lại các lựa chọn.
ReadyLabel2b=Bấm Cài đặt để bắt đầu.
ReadyMemoDir=Thư mục cài đặt:
ReadyMemoGroup=Thư mục trong menu Start:
ReadyMemoTasks=Việc làm thêm:
WizardPreparing=Chuẩn bị cài đặt
PreparingDesc=Đang chuẩn bị cài [name].
PreviousInstallNotCompleted=Lần cài đặt hoặc gỡ bỏ trước chưa xong. Hãy khởi động lại máy rồi chạy lại bộ cài đặt [name].
CannotContinue=Không thể tiếp tục. Bấm Hủy để thoát.
PrepareToInstallNeedsRestart=Cần khởi động lại máy trước. Sau khi khởi động lại, chạy lại bộ cài đặt [name].%n%nKhởi động lại ngay?
ApplicationsFound=Các chương trình sau đang dùng tệp cần cập nhật. Nên để bộ cài đặt tự đóng chúng (báo cáo đang soạn đã được lưu tự động).
ApplicationsFound2=Các chương trình sau đang dùng tệp cần cập nhật. Nên để bộ cài đặt tự đóng chúng (báo cáo đang soạn đã được lưu tự động).
CloseApplications=&Tự động đóng các chương trình
DontCloseApplications=&Không đóng
ErrorCloseApplications=Không tự đóng được tất cả các chương trình. Hãy tự đóng chúng rồi tiếp tục.
WizardInstalling=Đang cài đặt
InstallingLabel=Xin chờ trong khi [name] được cài vào máy.
FinishedHeadingLabel=Đã cài xong [name]
FinishedLabelNoIcons=[name] đã được cài vào máy.
FinishedLabel=[name] đã được cài vào máy. Mở ứng dụng từ biểu tượng trong menu Start (hoặc trên màn hình nền nếu đã chọn).
ClickFinish=Bấm Xong để thoát.
FinishedRestartLabel=Cần khởi động lại máy để cài xong [name]. Khởi động lại ngay?
FinishedRestartMessage=Cần khởi động lại máy để cài xong [name].%n%nKhởi động lại ngay?
YesRadio=&Có, khởi động lại ngay
NoRadio=&Không, để sau
RunEntryExec=Mở %1
RunEntryShellExec=Xem %1
SetupAborted=Chưa cài đặt xong.%n%nHãy khắc phục lỗi rồi chạy lại bộ cài đặt.
AbortRetryIgnoreSelectAction=Chọn cách xử lý
AbortRetryIgnoreRetry=&Thử lại
AbortRetryIgnoreIgnore=&Bỏ qua lỗi và tiếp tục
AbortRetryIgnoreCancel=Hủy cài đặt
StatusClosingApplications=Đang đóng các chương trình...
StatusCreateDirs=Đang tạo thư mục...
StatusExtractFiles=Đang chép tệp...
StatusCreateIcons=Đang tạo biểu tượng...
StatusCreateRegistryEntries=Đang ghi thông tin gỡ bỏ...
StatusSavingUninstall=Đang lưu thông tin gỡ bỏ...
StatusRunProgram=Đang hoàn tất...
StatusRollback=Đang hoàn tác các thay đổi...
ErrorInternal2=Lỗi nội bộ: %1
ErrorFunctionFailedNoCode=%1 không thành công
ErrorFunctionFailed=%1 không thành công; mã %2
ErrorFunctionFailedWithMessage=%1 không thành công; mã %2.%n%3
ErrorExecutingProgram=Không chạy được tệp:%n%1
FileAbortRetryIgnoreSkipNotRecommended=&Bỏ qua tệp này (không nên)
FileAbortRetryIgnoreIgnoreNotRecommended=Bỏ qua &lỗi và tiếp tục (không nên)
SourceIsCorrupted=Tệp nguồn bị hỏng (hãy chép lại bộ cài đặt)
SourceDoesntExist=Không có tệp nguồn "%1"
ExistingFileReadOnly2=Không thay được tệp đang có vì tệp được đặt chỉ đọc.
ExistingFileReadOnlyRetry=&Bỏ thuộc tính chỉ đọc rồi thử lại
ExistingFileReadOnlyKeepExisting=&Giữ tệp đang có
ErrorReadingExistingDest=Lỗi khi đọc tệp đang có:
FileExistsSelectAction=Chọn cách xử lý
FileExists2=Tệp đã có.
FileExistsOverwriteExisting=&Ghi đè tệp đang có
FileExistsKeepExisting=&Giữ tệp đang có
FileExistsOverwriteOrKeepAll=&Làm như vậy với các tệp sau
ExistingFileNewerSelectAction=Chọn cách xử lý
ExistingFileNewer2=Tệp đang có mới hơn tệp sắp cài.
ExistingFileNewerOverwriteExisting=&Ghi đè tệp đang có
ExistingFileNewerKeepExisting=&Giữ tệp đang có (nên chọn)
ExistingFileNewerOverwriteOrKeepAll=&Làm như vậy với các tệp sau
ErrorChangingAttr=Lỗi khi đổi thuộc tính của tệp đang có:
ErrorCreatingTemp=Lỗi khi tạo tệp trong thư mục cài đặt:
ErrorReadingSource=Lỗi khi đọc tệp nguồn:
ErrorCopying=Lỗi khi chép tệp:
ErrorReplacingExistingFile=Lỗi khi thay tệp đang có:
ErrorRenamingTemp=Lỗi khi đổi tên tệp trong thư mục cài đặt:
UninstallDisplayNameMarkCurrentUser=Người dùng hiện tại
ErrorRestartingComputer=Không tự khởi động lại máy được. Hãy tự khởi động lại.
UninstallNotFound=Không có tệp "%1". Không gỡ bỏ được.
UninstallOpenError=Không mở được tệp "%1". Không gỡ bỏ được
UninstallUnsupportedVer=Tệp nhật ký gỡ bỏ "%1" có định dạng lạ. Không gỡ bỏ được
UninstallUnknownEntry=Gặp mục lạ (%1) trong nhật ký gỡ bỏ
ConfirmUninstall=Gỡ bỏ %1 khỏi máy?%n%nDữ liệu báo cáo (thư mục AppData\Local\{#DataFolder} của tài khoản này) được giữ nguyên.
UninstallOnlyOnWin64=Chỉ gỡ bỏ được trên Windows 64-bit.
OnlyAdminCanUninstall=Chỉ tài khoản quản trị mới gỡ bỏ được bản cài đặt này.
UninstallStatusLabel=Xin chờ trong khi %1 được gỡ bỏ khỏi máy.
UninstalledAll=Đã gỡ bỏ %1.
UninstalledMost=Đã gỡ bỏ %1.%n%nCòn một vài mục không xóa được; có thể tự xóa.
UninstalledAndNeedsRestart=Cần khởi động lại máy để gỡ xong %1.%n%nKhởi động lại ngay?
UninstallDataCorrupted=Tệp "%1" bị hỏng. Không gỡ bỏ được
ConfirmDeleteSharedFileTitle=Xóa tệp dùng chung?
SharedFileNameLabel=Tên tệp:
SharedFileLocationLabel=Vị trí:
WizardUninstalling=Đang gỡ bỏ
StatusUninstalling=Đang gỡ bỏ %1...
ShutdownBlockReasonInstallingApp=Đang cài %1.
ShutdownBlockReasonUninstallingApp=Đang gỡ bỏ %1.

[CustomMessages]
NameAndVersion=%1 phiên bản %2
AdditionalIcons=Biểu tượng:
CreateDesktopIcon=Tạo biểu tượng trên &màn hình nền
UninstallProgram=Gỡ bỏ %1
LaunchProgram=Mở %1 ngay
DataKept1=Dữ liệu báo cáo vẫn được giữ trong thư mục:
DataKept2=Cài lại nq57desk sẽ thấy lại toàn bộ báo cáo. Muốn xóa hẳn thì tự xóa thư mục này (nên chép ra USB trước).

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; Upgrade: remove the previous version's program files first, so no template, module or plugin of the old version
; lingers next to the new ones. The data folder is elsewhere (%LOCALAPPDATA%\nq57desk) and is never touched.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Báo cáo Nghị quyết 57-NQ/TW"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon; Comment: "Báo cáo Nghị quyết 57-NQ/TW"

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the uninstaller removes only the files it installed in {app}. The reports, backups and logs
; in %LOCALAPPDATA%\nq57desk stay, and the uninstaller says where.

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
  begin
    DataDir := ExpandConstant('{localappdata}\{#DataFolder}');
    if DirExists(DataDir) then
      MsgBox(CustomMessage('DataKept1') + #13#10#13#10 + DataDir + #13#10#13#10 + CustomMessage('DataKept2'),
        mbInformation, MB_OK);
  end;
end;
