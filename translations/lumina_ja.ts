<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja">
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="31"/>
        <source>Cannot create the output folder %1. Choose another one in Preferences.</source>
        <translation>出力フォルダー %1 を作成できません。環境設定で別のフォルダーを選んでください。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="45"/>
        <source>The image was not saved: %1</source>
        <translation>画像を保存できませんでした: %1</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="128"/>
        <source>Unknown error while loading the model.</source>
        <translation>モデルの読み込み中に不明なエラーが発生しました。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="201"/>
        <source>Unknown error during generation.</source>
        <translation>生成中に不明なエラーが発生しました。</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="69"/>
        <source>Move to trash</source>
        <translation>ゴミ箱へ移動</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="57"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="57"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
</context>
<context>
    <name>lumina::ui::CanvasWidget</name>
    <message>
        <location filename="../ui/canvas_widget.cpp" line="18"/>
        <source>Image canvas</source>
        <translation>画像キャンバス</translation>
    </message>
</context>
<context>
    <name>lumina::ui::EngineBridge</name>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="313"/>
        <source>The engine has been shut down; %1 was not started.</source>
        <translation>エンジンは終了しています。%1 は開始されませんでした。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="314"/>
        <source>The engine is busy; %1 was not started.</source>
        <translation>エンジンは処理中です。%1 は開始されませんでした。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="321"/>
        <source>the model load</source>
        <translation>モデルの読み込み</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="329"/>
        <source>the generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="338"/>
        <source>the export</source>
        <translation>エクスポート</translation>
    </message>
</context>
<context>
    <name>lumina::ui::FirstRunDialog</name>
    <message>
        <location filename="../ui/first_run.cpp" line="20"/>
        <source>Welcome to Lumina Studio</source>
        <translation>Lumina Studio へようこそ</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="23"/>
        <source>&lt;h2&gt;No model yet&lt;/h2&gt;Lumina Studio needs the Lumina-Next model to make pictures.</source>
        <translation>&lt;h2&gt;モデルがまだありません&lt;/h2&gt;画像を生成するには Lumina-Next モデルが必要です。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="28"/>
        <source>Download Lumina-Next-SFT (about %1 GB)</source>
        <translation>Lumina-Next-SFT をダウンロード（約 %1 GB）</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="33"/>
        <source>Into %1, the Hugging Face cache that diffusers and other tools share. It can be paused and continues where it stopped, even after closing the app.</source>
        <translation>保存先は %1（diffusers などのツールと共有する Hugging Face キャッシュ）。一時停止でき、アプリを閉じても中断した所から再開します。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="49"/>
        <source>&amp;Pause download</source>
        <translation>ダウンロードを一時停止(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="51"/>
        <source>&amp;Open a model folder…</source>
        <translation>モデルフォルダーを開く(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="52"/>
        <source>Try the &amp;demo</source>
        <translation>デモを試す(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="64"/>
        <source>Asking the Hub for the file list…</source>
        <translation>Hub からファイル一覧を取得しています…</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="79"/>
        <source>%1 to download (%2 of %3 already in the cache)</source>
        <translation>ダウンロード量 %1（%3 のうち %2 はキャッシュ済み）</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="88"/>
        <source>%1 of %2 at %3/s, about %4 min left</source>
        <translation>%1 / %2、%3/s、残り約 %4 分</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="99"/>
        <source>Done: the model is verified and ready.</source>
        <translation>完了：モデルは検証済みで使用できます。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="103"/>
        <source>Resume the download</source>
        <translation>ダウンロードを再開</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="104"/>
        <source>Paused. The bytes fetched so far are kept.</source>
        <translation>一時停止しました。取得済みのデータは保持されます。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="106"/>
        <source>Try again</source>
        <translation>再試行</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="107"/>
        <source>The download failed: %1</source>
        <translation>ダウンロードに失敗しました：%1</translation>
    </message>
</context>
<context>
    <name>lumina::ui::GalleryModel</name>
    <message>
        <location filename="../ui/gallery_model.cpp" line="24"/>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <location filename="../ui/gallery_model.cpp" line="27"/>
        <source>LoRAs: %1</source>
        <translation>LoRA：%1</translation>
    </message>
    <message>
        <location filename="../ui/gallery_model.cpp" line="95"/>
        <source>%1
%2 × %3 · seed %4 · %5</source>
        <translation>%1
%2 × %3 · シード %4 · %5</translation>
    </message>
    <message>
        <location filename="../ui/gallery_model.cpp" line="103"/>
        <source>Refined from item %1</source>
        <translation>項目 %1 からリファイン</translation>
    </message>
</context>
<context>
    <name>lumina::ui::GalleryPanel</name>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="108"/>
        <source>Search prompts…</source>
        <translation>プロンプトを検索…</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="110"/>
        <source>Finds the prompt, the negative prompt or the model family (Lumina-Next, Lumina-Image 2.0)</source>
        <translation>プロンプト、ネガティブプロンプト、またはモデルファミリー（Lumina-Next、Lumina-Image 2.0）で検索します</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="112"/>
        <source>Show favourites only</source>
        <translation>お気に入りのみ表示</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="132"/>
        <source>Gallery</source>
        <translation>ギャラリー</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="134"/>
        <location filename="../ui/gallery_panel.cpp" line="163"/>
        <source>Favourite</source>
        <translation>お気に入り</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="134"/>
        <source>Mark or unmark as favourite (F)</source>
        <translation>お気に入りに追加／解除 (F)</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="135"/>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="135"/>
        <source>Move to the trash (Delete); can be undone</source>
        <translation>ゴミ箱へ移動 (Delete)。元に戻せます</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="136"/>
        <location filename="../ui/gallery_panel.cpp" line="180"/>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="136"/>
        <source>Undo the last delete (Ctrl+Z)</source>
        <translation>直前の削除を元に戻す (Ctrl+Z)</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="137"/>
        <source>Use settings</source>
        <translation>設定を使う</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="138"/>
        <source>Copy this image&apos;s settings into the panels</source>
        <translation>この画像の設定をパネルに反映</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="140"/>
        <source>New seed</source>
        <translation>新しいシード</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="140"/>
        <source>Queue the same settings with a new seed</source>
        <translation>同じ設定・新しいシードでキューに追加</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="142"/>
        <source>Open folder</source>
        <translation>フォルダーを開く</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="142"/>
        <source>Show the image file in its folder</source>
        <translation>画像ファイルをフォルダーで表示</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="164"/>
        <source>Move to trash</source>
        <translation>ゴミ箱へ移動</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="165"/>
        <source>Use these settings</source>
        <translation>この設定を使う</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="168"/>
        <source>Same settings, new seed</source>
        <translation>同じ設定、新しいシード</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="179"/>
        <source>Open containing folder</source>
        <translation>保存先フォルダーを開く</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/gallery_panel.cpp" line="244"/>
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 枚</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="178"/>
        <source>Refine ×%1…</source>
        <translation>×%1 でリファイン…</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="171"/>
        <source>Export…</source>
        <translation>エクスポート…</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="174"/>
        <source>Save again</source>
        <translation>再保存</translation>
    </message>
</context>
<context>
    <name>lumina::ui::LoraList</name>
    <message>
        <location filename="../ui/lora_list.cpp" line="37"/>
        <source>None: the model as it is</source>
        <translation>なし：モデルをそのまま使用</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="40"/>
        <source>Add LoRA…</source>
        <translation>LoRA を追加…</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="43"/>
        <source>LoRA weights for this model (.safetensors), applied in list order with their scales</source>
        <translation>このモデル用の LoRA 重み（.safetensors）。リストの順にそれぞれのスケールで適用されます</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="47"/>
        <source>Add a LoRA</source>
        <translation>LoRA を追加</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="48"/>
        <source>LoRA weights (*.safetensors);;All files (*)</source>
        <translation>LoRA 重み (*.safetensors);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="117"/>
        <source>LoRA scale</source>
        <translation>LoRA のスケール</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="125"/>
        <source>Remove this LoRA</source>
        <translation>この LoRA を削除</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="169"/>
        <source>%1 (missing)</source>
        <translation>%1（欠落）</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="172"/>
        <source>File not found, not applied: %1</source>
        <translation>ファイルが見つからないため適用しません：%1</translation>
    </message>
</context>
<context>
    <name>lumina::ui::MainWindow</name>
    <message>
        <location filename="../ui/main_window.cpp" line="80"/>
        <location filename="../ui/main_window.cpp" line="661"/>
        <source>Lumina Studio</source>
        <translation>Lumina Studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="108"/>
        <source>This build has no inference engine. Run lumina-studio --demo to try the interface.</source>
        <translation>このビルドには推論エンジンがありません。lumina-studio --demo でインターフェースを試せます。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="189"/>
        <source>The gallery database could not be opened (%1). This session uses a temporary database.</source>
        <translation>ギャラリーのデータベースを開けませんでした（%1）。このセッションでは一時データベースを使います。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="196"/>
        <source>The gallery database was damaged. It was moved to %1 and a new, empty gallery was started. Your image files are untouched.</source>
        <translation>ギャラリーのデータベースが破損していました。%1 に移動し、新しい空のギャラリーを作成しました。画像ファイルはそのままです。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="204"/>
        <source>The gallery database was written by a newer Lumina Studio. It was moved to %1 and a new gallery was started.</source>
        <translation>ギャラリーのデータベースは新しいバージョンの Lumina Studio で作成されています。%1 に移動し、新しいギャラリーを作成しました。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="212"/>
        <source>%n interrupted job(s) were put back in the queue.</source>
        <translation>
            <numerusform>中断された %n 件のジョブをキューに戻しました。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="225"/>
        <source>Dismiss</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="236"/>
        <source>Open a model (File → Open Model…), type a prompt and press Ctrl+Enter.</source>
        <translation>モデルを開き（ファイル → モデルを開く…）、プロンプトを入力して Ctrl+Enter を押してください。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="241"/>
        <source>Idle</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="244"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="246"/>
        <source>Add to the queue and run (Ctrl+Enter)</source>
        <translation>キューに追加して実行 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="247"/>
        <source>Stop and keep</source>
        <translation>停止して保持</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="249"/>
        <source>Stop now and keep the current draft (Shift+Esc)</source>
        <translation>今すぐ停止し、現在の下書きを保持 (Shift+Esc)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="250"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="252"/>
        <source>Stop and discard (Esc)</source>
        <translation>停止して破棄 (Esc)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="254"/>
        <source>Fit</source>
        <translation>全体表示</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="255"/>
        <source>Fit the image to the window (Ctrl+0)</source>
        <translation>画像をウィンドウに合わせる (Ctrl+0)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="258"/>
        <source>Actual pixels (Ctrl+1)</source>
        <translation>等倍表示 (Ctrl+1)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="295"/>
        <source>Prompt</source>
        <translation>プロンプト</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="296"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="297"/>
        <source>Gallery</source>
        <translation>ギャラリー</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="298"/>
        <source>Queue</source>
        <translation>キュー</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="330"/>
        <source>These settings are for a %1 model, but %2 is a %3 model. Load a %1 model to use them.</source>
        <translation>この設定は %1 モデル用ですが、%2 は %3 モデルです。使うには %1 モデルを読み込んでください。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="339"/>
        <source>Settings copied from the gallery.</source>
        <translation>ギャラリーから設定をコピーしました。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="341"/>
        <location filename="../ui/main_window.cpp" line="354"/>
        <location filename="../ui/main_window.cpp" line="589"/>
        <location filename="../ui/main_window.cpp" line="768"/>
        <source>These settings cannot be used: %1</source>
        <translation>この設定は使えません：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="360"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="361"/>
        <source>&amp;Open Model…</source>
        <translation>モデルを開く(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="366"/>
        <source>Open Model &amp;File…</source>
        <translation>モデルファイルを開く(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="378"/>
        <source>&amp;Preferences…</source>
        <translation>環境設定(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="383"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="387"/>
        <source>&amp;Edit</source>
        <translation>編集(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="388"/>
        <source>&amp;Undo</source>
        <translation>元に戻す(&amp;U)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="393"/>
        <location filename="../ui/main_window.cpp" line="394"/>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="397"/>
        <source>&amp;Cancel</source>
        <translation>キャンセル(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="400"/>
        <source>Stop and &amp;keep draft</source>
        <translation>停止して下書きを保持(&amp;K)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="404"/>
        <source>&amp;Run queue</source>
        <translation>キューを実行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="405"/>
        <source>&amp;Pause queue</source>
        <translation>キューを一時停止(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="407"/>
        <source>Focus &amp;prompt</source>
        <translation>プロンプトへ移動(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="417"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="418"/>
        <source>&amp;Fit to window</source>
        <translation>ウィンドウに合わせる(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="420"/>
        <source>&amp;Actual pixels</source>
        <translation>等倍表示(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="426"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="427"/>
        <source>&amp;About Lumina Studio</source>
        <translation>Lumina Studio について(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="452"/>
        <source>Loading model… %1 of %2 GB</source>
        <translation>モデルを読み込み中… %1 / %2 GB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="458"/>
        <location filename="../ui/main_window.cpp" line="481"/>
        <source>Ready</source>
        <translation>準備完了</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="470"/>
        <source>Type a prompt and press Ctrl+Enter.</source>
        <translation>プロンプトを入力して Ctrl+Enter を押してください。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="471"/>
        <source>Model %1 loaded.</source>
        <translation>モデル %1 を読み込みました。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="481"/>
        <source>No model</source>
        <translation>モデルなし</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="482"/>
        <source>The model could not be loaded: %1 %2 is still loaded and is used.</source>
        <translation>モデルを読み込めませんでした：%1 引き続き %2 を使用します。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="484"/>
        <source>The model could not be loaded: %1</source>
        <translation>モデルを読み込めませんでした：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="494"/>
        <source>Encoding the prompt…</source>
        <translation>プロンプトをエンコード中…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="500"/>
        <source>Decoding the image…</source>
        <translation>画像をデコード中…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="569"/>
        <source>Open a model folder</source>
        <translation>モデルフォルダーを開く</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="574"/>
        <source>Open a single-file model</source>
        <translation>単一ファイルのモデルを開く</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="576"/>
        <source>Lumina-Image 2.0 checkpoints (*.safetensors)</source>
        <translation>Lumina-Image 2.0 チェックポイント (*.safetensors)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="822"/>
        <source>The next queued job is for a %1 model, but %2 is a %3 model. Load a %1 model to run it, or remove it from the queue.</source>
        <translation>キューの次のジョブは %1 モデル用ですが、%2 は %3 モデルです。実行するには %1 モデルを読み込むか、キューから削除してください。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="913"/>
        <source>Step %1 of %2 · about %3 left</source>
        <translation>ステップ %1 / %2 · 残り約 %3</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="983"/>
        <source>&lt;b&gt;Lumina Studio&lt;/b&gt; %1&lt;br&gt;Local text-to-image generation with Lumina-Next and Lumina-Image 2.0.&lt;br&gt;%2</source>
        <translation>&lt;b&gt;Lumina Studio&lt;/b&gt; %1&lt;br&gt;Lumina-Next と Lumina-Image 2.0 によるローカルの画像生成。&lt;br&gt;%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="986"/>
        <source>No inference engine in this build.</source>
        <translation>このビルドには推論エンジンがありません。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="536"/>
        <source>Cancelled</source>
        <translation>キャンセルしました</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="541"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="543"/>
        <source>Generation failed: %1</source>
        <translation>生成に失敗しました：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="553"/>
        <source>Wait for the current run to finish before loading a model.</source>
        <translation>現在の生成が終わってからモデルを読み込んでください。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="563"/>
        <source>Loading model…</source>
        <translation>モデルを読み込み中…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="758"/>
        <source>Type a prompt first.</source>
        <translation>先にプロンプトを入力してください。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="785"/>
        <source>The queue runs as soon as a model is loaded (File → Open Model…).</source>
        <translation>モデルを読み込むとキューが実行されます（ファイル → モデルを開く…）。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="798"/>
        <source>Cancelling…</source>
        <translation>キャンセル中…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="805"/>
        <source>Stopping, keeping the draft…</source>
        <translation>停止中、下書きを保持します…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="832"/>
        <source>Starting…</source>
        <translation>開始中…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="844"/>
        <source>A queued job could not be read and was removed: %1</source>
        <translation>キューのジョブを読み取れなかったため削除しました：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="885"/>
        <source>The image could not be added to the gallery: %1</source>
        <translation>画像をギャラリーに追加できませんでした：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="890"/>
        <source>Draft kept · %1</source>
        <translation>下書きを保持 · %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="891"/>
        <source>Done in %1 · seed %2</source>
        <translation>%1 で完了 · シード %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="940"/>
        <source>No model loaded</source>
        <translation>モデル未読み込み</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="941"/>
        <location filename="../ui/main_window.cpp" line="942"/>
        <location filename="../ui/main_window.cpp" line="956"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="948"/>
        <source>Memory: %1 GB</source>
        <translation>メモリ：%1 GB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="952"/>
        <source>%1: %2 / %3 GB</source>
        <translation>%1: %2 / %3 GB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="968"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="969"/>
        <source>The new language applies after Lumina Studio is restarted.</source>
        <translation>新しい言語は Lumina Studio の再起動後に反映されます。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="982"/>
        <source>About Lumina Studio</source>
        <translation>Lumina Studio について</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="118"/>
        <source>Download of %1 complete and verified.</source>
        <translation>%1 のダウンロードが完了し、検証されました。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="120"/>
        <source>The download of %1 failed: %2</source>
        <translation>%1 のダウンロードに失敗しました：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="129"/>
        <source>Resume download</source>
        <translation>ダウンロードの再開</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="130"/>
        <source>The download of %1 was interrupted. Continue it now? The bytes already fetched are kept.</source>
        <translation>%1 のダウンロードが中断されました。今すぐ続けますか？取得済みのデータは保持されます。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="376"/>
        <source>Model &amp;Manager…</source>
        <translation>モデルマネージャー(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="497"/>
        <source>Encoding the init image…</source>
        <translation>入力画像をエンコード中…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="410"/>
        <source>&amp;Image</source>
        <translation>画像(&amp;I)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="412"/>
        <source>Refine ×%1…</source>
        <translation>×%1 でリファイン…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="598"/>
        <source>The picture&apos;s file %1 is missing, so it cannot be refined.</source>
        <translation>画像ファイル %1 が見つからないため、リファインできません。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="369"/>
        <source>Open &amp;Image…</source>
        <translation>画像を開く(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="371"/>
        <source>Open Image</source>
        <translation>画像を開く</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="372"/>
        <source>Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr);;All files (*)</source>
        <translation>画像 (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="632"/>
        <source>%1 cannot be read: %2</source>
        <translation>%1 を読み込めません：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="639"/>
        <source>%1 carries no generation settings.</source>
        <translation>%1 には生成設定が含まれていません。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="640"/>
        <source>%1: no settings could be read (%2).</source>
        <translation>%1：設定を読み取れませんでした（%2）。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="653"/>
        <source>The settings in %1 cannot be used: %2</source>
        <translation>%1 の設定は使用できません：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="662"/>
        <source>AUTOMATIC1111</source>
        <translation>AUTOMATIC1111</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="663"/>
        <source>ComfyUI</source>
        <translation>ComfyUI</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="664"/>
        <source>SwarmUI</source>
        <translation>SwarmUI</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="668"/>
        <source>Settings restored from %1 (%2): %3.</source>
        <translation>%1（%2）から設定を復元しました：%3。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="669"/>
        <source>Not used here: %1.</source>
        <translation>ここでは使われません：%1。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="525"/>
        <source>The export to %1 failed: %2</source>
        <translation>%1 へのエクスポートに失敗しました：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="527"/>
        <source>Exported %1 from the saved 8-bit picture: this item was made before latents were kept, so its full-precision image cannot be decoded again.</source>
        <translation>%1 を保存済みの 8 ビット画像からエクスポートしました：この項目は潜在表現が保存される前に作成されたため、フル精度の画像を再デコードできません。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="532"/>
        <source>Exported %1.</source>
        <translation>%1 をエクスポートしました。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="879"/>
        <source>The latents of this image could not be kept (Export will use the saved picture): %1</source>
        <translation>この画像の潜在表現を保存できませんでした（エクスポートは保存済みの画像を使います）：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="684"/>
        <source>Nothing to export: this item has neither kept latents nor its picture %1.</source>
        <translation>エクスポートできるものがありません：この項目には潜在表現も画像 %1 もありません。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="718"/>
        <source>PNG, 16-bit (*.png)</source>
        <translation>PNG、16 ビット (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="718"/>
        <source>PNG, 8-bit (*.png)</source>
        <translation>PNG、8 ビット (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="719"/>
        <source>TIFF, 16-bit (*.tif)</source>
        <translation>TIFF、16 ビット (*.tif)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="719"/>
        <source>OpenEXR, half float (*.exr)</source>
        <translation>OpenEXR、半精度浮動小数点 (*.exr)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="720"/>
        <source>JPEG (*.jpg)</source>
        <translation>JPEG (*.jpg)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="720"/>
        <source>WebP (*.webp)</source>
        <translation>WebP (*.webp)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="724"/>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="523"/>
        <source>Saved again to %1.</source>
        <translation>%1 に再保存しました。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="694"/>
        <source>This picture is saved already: %1</source>
        <translation>この画像は保存済みです：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="698"/>
        <source>This picture cannot be saved again: it was made before latents were kept.</source>
        <translation>この画像は再保存できません：潜在表現が保存される前に作成されました。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="703"/>
        <source>Cannot create the output folder %1. Choose another one in Preferences.</source>
        <translation>出力フォルダ %1 を作成できません。環境設定で別のフォルダを選んでください。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="938"/>
        <source>Model: %1 · %2</source>
        <translation>モデル：%1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="974"/>
        <source>Device, precision and the attention kernel apply when the model is loaded again.</source>
        <translation>デバイス、精度、attention カーネルはモデルを読み込み直したときに反映されます。</translation>
    </message>
</context>
<context>
    <name>lumina::ui::ModelManagerDialog</name>
    <message>
        <location filename="../ui/model_manager.cpp" line="37"/>
        <source>Model Manager</source>
        <translation>モデルマネージャー</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="41"/>
        <source>Models in the Hugging Face cache %1 (shared with diffusers and other tools)</source>
        <translation>Hugging Face キャッシュ %1 のモデル（diffusers などのツールと共有）</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Repository</source>
        <translation>リポジトリ</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Revision</source>
        <translation>リビジョン</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Commit</source>
        <translation>コミット</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="59"/>
        <source>&amp;Resume</source>
        <translation>再開(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="60"/>
        <source>&amp;Verify</source>
        <translation>検証(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="61"/>
        <source>&amp;Delete</source>
        <translation>削除(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="62"/>
        <source>Set as &amp;default</source>
        <translation>既定に設定(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="78"/>
        <source>A diffusers repository id, e.g. %1</source>
        <translation>diffusers リポジトリ ID（例: %1）</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="78"/>
        <source> or </source>
        <translation> または </translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="79"/>
        <source>Do&amp;wnload</source>
        <translation>ダウンロード(&amp;W)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="80"/>
        <source>&amp;Cancel download</source>
        <translation>ダウンロードを中止(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="81"/>
        <source>Repository:</source>
        <translation>リポジトリ：</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="107"/>
        <source>%1: %2 in total, %3 already in the cache, %4 to download into %5</source>
        <translation>%1：合計 %2、キャッシュ済み %3、%5 へ %4 をダウンロード</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="113"/>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="113"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="114"/>
        <source>Downloading %1: %2 of %3, %4/s, %5 left — %6</source>
        <translation>%1 をダウンロード中：%2 / %3、%4/s、残り %5 — %6</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="122"/>
        <source>%1 is complete and verified.</source>
        <translation>%1 は完全で、検証済みです。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="124"/>
        <source>Download paused. Resume continues where it stopped.</source>
        <translation>ダウンロードを一時停止しました。再開すると中断した所から続きます。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="126"/>
        <source>Download failed: %1</source>
        <translation>ダウンロードに失敗しました：%1</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="143"/>
        <location filename="../ui/model_manager.cpp" line="181"/>
        <source>Complete</source>
        <translation>完了</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="143"/>
        <source>Incomplete</source>
        <translation>未完了</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="144"/>
        <source>Downloading…</source>
        <translation>ダウンロード中…</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="194"/>
        <source>Asking the Hub about %1…</source>
        <translation>Hub に %1 を問い合わせています…</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="220"/>
        <source>Verifying %1…</source>
        <translation>%1 を検証しています…</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="235"/>
        <source>%1: every file matches its hash.</source>
        <translation>%1：すべてのファイルがハッシュと一致しました。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="236"/>
        <source>%1: damaged files: %2. Delete and download again.</source>
        <translation>%1：破損したファイル：%2。削除して再ダウンロードしてください。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="250"/>
        <source>Delete model</source>
        <translation>モデルを削除</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="251"/>
        <source>Delete %1 (every revision and partial download) from the cache %2?</source>
        <translation>キャッシュ %2 から %1（すべてのリビジョンと途中のダウンロード）を削除しますか？</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="257"/>
        <source>%1 was deleted.</source>
        <translation>%1 を削除しました。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="259"/>
        <source>Could not delete %1: %2</source>
        <translation>%1 を削除できませんでした：%2</translation>
    </message>
</context>
<context>
    <name>lumina::ui::PreferencesDialog</name>
    <message>
        <location filename="../ui/preferences.cpp" line="82"/>
        <source>Preferences</source>
        <translation>環境設定</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="86"/>
        <source>Automatic (GPU when available)</source>
        <translation>自動（GPU があれば GPU）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="87"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="88"/>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="89"/>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="93"/>
        <source>Automatic (bf16 on GPU, fp32 on CPU)</source>
        <translation>自動（GPU は bf16、CPU は fp32）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="94"/>
        <source>fp32 (exact, slow, most memory)</source>
        <translation>fp32（正確・低速・メモリ最大）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="95"/>
        <source>bf16</source>
        <translation>bf16</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="96"/>
        <source>fp16</source>
        <translation>fp16</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="100"/>
        <source>Automatic (tiles when memory is short)</source>
        <translation>自動（メモリ不足時にタイル分割）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="101"/>
        <source>Always in tiles (least memory)</source>
        <translation>常にタイル分割（メモリ最小）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="102"/>
        <source>Never in tiles</source>
        <translation>タイル分割しない</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="106"/>
        <source>Automatic (from free memory)</source>
        <translation>自動（空きメモリから）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="108"/>
        <location filename="../ui/preferences.cpp" line="110"/>
        <source>%1 pixels</source>
        <translation>%1 ピクセル</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="127"/>
        <source>System language</source>
        <translation>システムの言語</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="134"/>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="136"/>
        <source>Output folder</source>
        <translation>出力フォルダー</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="142"/>
        <source>&amp;Device:</source>
        <translation>デバイス(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="143"/>
        <source>&amp;Precision:</source>
        <translation>精度(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="144"/>
        <source>&amp;VAE decoding:</source>
        <translation>VAE デコード(&amp;V):</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="145"/>
        <source>VAE &amp;tile size:</source>
        <translation>VAE タイルサイズ(&amp;T):</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="147"/>
        <source>&amp;Language:</source>
        <translation>言語(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="148"/>
        <source>&amp;Output folder:</source>
        <translation>出力フォルダー(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="114"/>
        <source>Automatic (fastest measured on the GPU)</source>
        <translation>自動（GPU で最速と測定されたもの）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="115"/>
        <source>LibTorch&apos;s choice per call</source>
        <translation>呼び出しごとに LibTorch が選択</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="116"/>
        <source>Math (reference, most memory)</source>
        <translation>Math（参照実装、メモリ最大）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="117"/>
        <source>Flash attention</source>
        <translation>Flash attention</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="118"/>
        <source>Memory-efficient attention</source>
        <translation>メモリ効率型 attention</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="119"/>
        <source>cuDNN attention</source>
        <translation>cuDNN attention</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="122"/>
        <source>Which attention kernel the GPU runs. Automatic times each kernel once per GPU and image shape and remembers the fastest; the CPU always uses LibTorch&apos;s own kernel, as the reference does.</source>
        <translation>GPU が実行する attention カーネル。自動では GPU と画像の形ごとに各カーネルを一度計測し、最速のものを記憶します。CPU では参照実装と同じく常に LibTorch 自身のカーネルを使います。</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="146"/>
        <source>&amp;Attention kernel:</source>
        <translation>Attention カーネル(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="152"/>
        <source>Device, precision and the attention kernel apply the next time a model is loaded. A new language applies after a restart.</source>
        <translation>デバイス、精度、attention カーネルは次にモデルを読み込むときに、言語は再起動後に反映されます。</translation>
    </message>
</context>
<context>
    <name>lumina::ui::PromptPanel</name>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="23"/>
        <source>Describe the image… (Ctrl+Enter to generate, Alt+Up/Down for history)</source>
        <translation>画像を説明してください…（Ctrl+Enter で生成、Alt+↑/↓ で履歴）</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="26"/>
        <source>Prompt</source>
        <translation>プロンプト</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="32"/>
        <source>Negative prompt (optional)</source>
        <translation>ネガティブプロンプト（任意）</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="36"/>
        <source>Negative prompt</source>
        <translation>ネガティブプロンプト</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="37"/>
        <source>&amp;Prompt</source>
        <translation>プロンプト(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="39"/>
        <source>&amp;Negative prompt</source>
        <translation>ネガティブプロンプト(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="126"/>
        <source>%1 / %2 tokens — the highlighted end is cut off</source>
        <translation>%1 / %2 トークン — 強調表示された末尾は切り捨てられます</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="127"/>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 トークン</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="145"/>
        <source>Token count appears once a model is loaded</source>
        <translation>モデルを読み込むとトークン数が表示されます</translation>
    </message>
</context>
<context>
    <name>lumina::ui::QueuePanel</name>
    <message>
        <location filename="../ui/queue_panel.cpp" line="22"/>
        <source>Job queue</source>
        <translation>ジョブキュー</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="26"/>
        <location filename="../ui/queue_panel.cpp" line="73"/>
        <source>Run queue</source>
        <translation>キューを実行</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="30"/>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="33"/>
        <source>Up</source>
        <translation>上へ</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="34"/>
        <source>Run earlier (Ctrl+Up)</source>
        <translation>先に実行 (Ctrl+↑)</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="37"/>
        <source>Down</source>
        <translation>下へ</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="38"/>
        <source>Run later (Ctrl+Down)</source>
        <translation>後で実行 (Ctrl+↓)</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="73"/>
        <source>Pause queue</source>
        <translation>キューを一時停止</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="88"/>
        <source>random</source>
        <translation>ランダム</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="90"/>
        <source>(unreadable job)</source>
        <translation>（読み取れないジョブ）</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="92"/>
        <source>▶ running</source>
        <translation>▶ 実行中</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="92"/>
        <source>queued</source>
        <translation>待機中</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="93"/>
        <source>%1 · %2 · seed %3 — %4</source>
        <translation>%1 · %2 · シード %3 — %4</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/queue_panel.cpp" line="99"/>
        <source>%n job(s)</source>
        <translation>
            <numerusform>%n 件のジョブ</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lumina::ui::RefineDialog</name>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="20"/>
        <location filename="../ui/refine_dialog.cpp" line="37"/>
        <source>Refine</source>
        <translation>リファイン</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="23"/>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="40"/>
        <source>Size</source>
        <translation>サイズ</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="41"/>
        <source>Strength</source>
        <translation>強度</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="31"/>
        <source>How much of the schedule runs again at the large size: lower keeps more of the picture, 1 starts from noise.</source>
        <translation>大きいサイズでスケジュールのどれだけを再実行するか：低いほど元の画像を多く残し、1 はノイズから始めます。</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="72"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="72"/>
        <source>%1 min</source>
        <translation>%1 分</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="73"/>
        <source>%1 × %2 → %3 × %4, %5 of %6 steps, same prompt and seed. Estimate: about %7 and %8 GB of memory (a rough guide, not a measurement).</source>
        <translation>%1 × %2 → %3 × %4、%6 ステップ中 %5 ステップ、同じプロンプトとシード。見積もり：約 %7、メモリ %8 GB（目安であり実測ではありません）。</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="85"/>
        <source>This needs about %1 GB but only %2 GB are available: choose a smaller factor.</source>
        <translation>約 %1 GB が必要ですが、利用できるのは %2 GB のみです：より小さい倍率を選んでください。</translation>
    </message>
</context>
<context>
    <name>lumina::ui::SettingsPanel</name>
    <message>
        <location filename="../ui/settings_panel.cpp" line="88"/>
        <source>Native (about 1 megapixel)</source>
        <translation>ネイティブ（約 100 万画素）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="92"/>
        <source>Extrapolated (beyond training size)</source>
        <translation>外挿（学習サイズ超え）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="97"/>
        <location filename="../ui/settings_panel.cpp" line="355"/>
        <source>Custom</source>
        <translation>カスタム</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="108"/>
        <source>Width</source>
        <translation>幅</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="109"/>
        <source>Height</source>
        <translation>高さ</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="113"/>
        <source>Lock</source>
        <translation>固定</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="114"/>
        <source>Keep the aspect ratio when one side changes</source>
        <translation>片方を変えたときに縦横比を保つ</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="118"/>
        <source>Swap width and height</source>
        <translation>幅と高さを入れ替え</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="125"/>
        <source>Si&amp;ze:</source>
        <translation>サイズ(&amp;Z)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="136"/>
        <source>S&amp;teps:</source>
        <translation>ステップ数(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="137"/>
        <source>G&amp;uidance:</source>
        <translation>ガイダンス(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="141"/>
        <source>Random</source>
        <translation>ランダム</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="142"/>
        <source>Fixed</source>
        <translation>固定</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="143"/>
        <source>Increment</source>
        <translation>連番</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="147"/>
        <source>Seed</source>
        <translation>シード</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="148"/>
        <source>Reuse last</source>
        <translation>前回を再利用</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="156"/>
        <source>See&amp;d:</source>
        <translation>シード(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="39"/>
        <source>Lumina (official demo recipe)</source>
        <translation>Lumina（公式デモの設定）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="41"/>
        <source>Lumina-Image 2.0 (official sample.py recipe)</source>
        <translation>Lumina-Image 2.0（公式 sample.py の設定）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="43"/>
        <source>Diffusers (Lumina2Pipeline defaults)</source>
        <translation>Diffusers（Lumina2Pipeline の既定値）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="44"/>
        <source>Diffusers (LuminaPipeline defaults)</source>
        <translation>Diffusers（LuminaPipeline の既定値）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="165"/>
        <source>Midpoint (2 evaluations per step)</source>
        <translation>中点法（1 ステップ 2 回評価）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="166"/>
        <source>Euler</source>
        <translation>オイラー法</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="167"/>
        <source>Diffusers Euler</source>
        <translation>Diffusers オイラー法</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="168"/>
        <source>RK4 (4 evaluations per step)</source>
        <translation>RK4（1 ステップ 4 回評価）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="171"/>
        <source>Uniform</source>
        <translation>均等</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="172"/>
        <source>Sigmoid</source>
        <translation>シグモイド</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="177"/>
        <source>Pre&amp;set:</source>
        <translation>プリセット(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="178"/>
        <source>Sa&amp;mpler:</source>
        <translation>サンプラー(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="179"/>
        <source>S&amp;chedule:</source>
        <translation>スケジュール(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="180"/>
        <source>Time sh&amp;ift:</source>
        <translation>タイムシフト(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="185"/>
        <source>Generate adds this many jobs to the queue, with seeds following the seed mode</source>
        <translation>「生成」でこの数のジョブをキューに追加します。シードはシードモードに従います</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="186"/>
        <source>&amp;Batch count:</source>
        <translation>バッチ数(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="227"/>
        <source>Extrapolation</source>
        <translation>外挿</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="323"/>
        <source>Time-aware (recommended)</source>
        <translation>時間依存（推奨）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="324"/>
        <source>NTK</source>
        <translation>NTK</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="325"/>
        <source>Linear</source>
        <translation>線形</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="326"/>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="331"/>
        <source>Scale below the native size too</source>
        <translation>ネイティブ未満のサイズでもスケール</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="332"/>
        <source>Proportional attention</source>
        <translation>比例アテンション</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="334"/>
        <source>Context drop</source>
        <translation>コンテキストドロップ</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="336"/>
        <source>RoPE scaling:</source>
        <translation>RoPE スケーリング：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="337"/>
        <source>Watershed:</source>
        <translation>ウォーターシェッド：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="353"/>
        <source>Superior (default)</source>
        <translation>Superior（既定）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="354"/>
        <source>Alignment</source>
        <translation>Alignment</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="356"/>
        <source>The instruction Gemma reads before the prompt (Lumina2Pipeline&apos;s system_prompt); the two official ones or your own text</source>
        <translation>Gemma がプロンプトの前に読む指示（Lumina2Pipeline の system_prompt）。公式の 2 種類か、独自のテキスト</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="360"/>
        <source>System prompt text</source>
        <translation>システムプロンプトのテキスト</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="361"/>
        <source>System prompt:</source>
        <translation>システムプロンプト：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="365"/>
        <source>Off</source>
        <translation>オフ</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="366"/>
        <source>Rows (diffusers)</source>
        <translation>行ごと（diffusers）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="367"/>
        <source>Clip (official)</source>
        <translation>クリップ（公式）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="368"/>
        <source>Plain guidance: uncond + scale × (cond − uncond)</source>
        <translation>通常のガイダンス：uncond + scale × (cond − uncond)</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="371"/>
        <source>Every row of the guided prediction rescaled to the conditional one&apos;s norm (Lumina2Pipeline)</source>
        <translation>ガイド付き予測の各行を条件付き予測のノルムに合わせて再スケール（Lumina2Pipeline）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="374"/>
        <source>The guided prediction&apos;s norm clipped at the conditional one&apos;s (official sample.py, renorm_cfg 1)</source>
        <translation>ガイド付き予測のノルムを条件付き予測のノルムで上限クリップ（公式 sample.py、renorm_cfg 1）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="377"/>
        <source>How the guided prediction&apos;s size is kept in check at high guidance</source>
        <translation>高いガイダンスでガイド付き予測の大きさを抑える方法</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="383"/>
        <source>Guidance runs on the first part of the steps only (1: every step); the later steps run the conditional branch alone</source>
        <translation>ガイダンスは前半のステップだけで行います（1：全ステップ）。後半のステップは条件付きの分岐だけを計算します</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="388"/>
        <source>CFG normalization:</source>
        <translation>CFG 正規化：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="389"/>
        <source>CFG truncation:</source>
        <translation>CFG 打ち切り：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="393"/>
        <source>LoRAs:</source>
        <translation>LoRA：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="456"/>
        <source>Guidance is off at this scale: every step runs the conditional branch only.</source>
        <translation>このスケールではガイダンスはオフです：全ステップで条件付きの分岐だけを計算します。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="458"/>
        <source>Guided on %1 of %2 steps: saves %3 of %4 model evaluations.</source>
        <translation>%2 ステップ中 %1 ステップでガイダンス：モデル評価 %4 回のうち %3 回を節約。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="550"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="550"/>
        <source>%1 min</source>
        <translation>%1 分</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="659"/>
        <source>Use seed %1 again</source>
        <translation>シード %1 を再利用</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="192"/>
        <source>None: start from noise</source>
        <translation>なし：ノイズから開始</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="195"/>
        <source>Choose…</source>
        <translation>選択…</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="199"/>
        <source>Start from noise again</source>
        <translation>再びノイズから開始</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="204"/>
        <source>I&amp;nit image:</source>
        <translation>入力画像(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="213"/>
        <source>How much of the schedule runs from the picture: lower keeps more of it, 1 starts from noise</source>
        <translation>画像からスケジュールのどれだけを実行するか：低いほど画像を多く残し、1 はノイズから始めます</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="216"/>
        <source>Fit (stretch to the size)</source>
        <translation>フィット（サイズに合わせて伸縮）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="217"/>
        <source>Crop (keep its aspect ratio)</source>
        <translation>クロップ（縦横比を維持）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="221"/>
        <source>Stren&amp;gth:</source>
        <translation>強度(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="275"/>
        <source>Init image</source>
        <translation>入力画像</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="276"/>
        <source>Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr *.bmp);;All files (*)</source>
        <translation>画像 (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr *.bmp);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="556"/>
        <source>Estimate for %1 on %2: about %3 and %4 GB of memory for %5 image tokens. A rough guide, not a measurement.</source>
        <translation>%2 上の %1 の見積もり：約 %3、メモリ %4 GB（画像トークン %5 個）。目安であり実測ではありません。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="552"/>
        <source>%1 (%2B parameters)</source>
        <translation>%1（パラメータ %2B）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="555"/>
        <source>Lumina-Next-SFT (2B)</source>
        <translation>Lumina-Next-SFT (2B)</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="532"/>
        <source>The text encoder leaves the GPU after encoding.</source>
        <translation>テキストエンコーダーはエンコード後に GPU から外れます。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="534"/>
        <source>The text encoder and the transformer take turns on the GPU.</source>
        <translation>テキストエンコーダーと Transformer が交代で GPU を使います。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="535"/>
        <source>The VAE decodes in tiles.</source>
        <translation>VAE はタイルに分けてデコードします。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="537"/>
        <source>This is more than the %1 GB the device offers: choose a smaller size.</source>
        <translation>デバイスの %1 GB を超えています。小さいサイズを選んでください。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../ui/demo_mode.cpp" line="51"/>
        <source>A wide valley at golden hour, layered mountains fading into haze, soft painterly light</source>
        <translation>夕暮れの広い谷、霞に溶けていく山並み、柔らかな絵画的な光</translation>
    </message>
</context>
</TS>
