<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="31"/>
        <source>Cannot create the output folder %1. Choose another one in Preferences.</source>
        <translation>无法创建输出文件夹 %1。请在首选项中另选一个。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="45"/>
        <source>The image was not saved: %1</source>
        <translation>图像未能保存：%1</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="128"/>
        <source>Unknown error while loading the model.</source>
        <translation>加载模型时发生未知错误。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="201"/>
        <source>Unknown error during generation.</source>
        <translation>生成过程中发生未知错误。</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="69"/>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
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
        <translation>图像画布</translation>
    </message>
</context>
<context>
    <name>lumina::ui::EngineBridge</name>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="313"/>
        <source>The engine has been shut down; %1 was not started.</source>
        <translation>引擎已关闭，%1 未启动。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="314"/>
        <source>The engine is busy; %1 was not started.</source>
        <translation>引擎正忙，%1 未启动。</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="321"/>
        <source>the model load</source>
        <translation>模型加载</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="329"/>
        <source>the generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/engine_bridge.cpp" line="338"/>
        <source>the export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>lumina::ui::FirstRunDialog</name>
    <message>
        <location filename="../ui/first_run.cpp" line="20"/>
        <source>Welcome to Lumina Studio</source>
        <translation>欢迎使用 Lumina Studio</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="23"/>
        <source>&lt;h2&gt;No model yet&lt;/h2&gt;Lumina Studio needs the Lumina-Next model to make pictures.</source>
        <translation>&lt;h2&gt;还没有模型&lt;/h2&gt;Lumina Studio 需要 Lumina-Next 模型才能生成图片。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="28"/>
        <source>Download Lumina-Next-SFT (about %1 GB)</source>
        <translation>下载 Lumina-Next-SFT（约 %1 GB）</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="33"/>
        <source>Into %1, the Hugging Face cache that diffusers and other tools share. It can be paused and continues where it stopped, even after closing the app.</source>
        <translation>保存到 %1，即 diffusers 等工具共用的 Hugging Face 缓存。可以暂停，即使关闭应用后也会从中断处继续。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="49"/>
        <source>&amp;Pause download</source>
        <translation>暂停下载(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="51"/>
        <source>&amp;Open a model folder…</source>
        <translation>打开模型文件夹(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="52"/>
        <source>Try the &amp;demo</source>
        <translation>试用演示(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="64"/>
        <source>Asking the Hub for the file list…</source>
        <translation>正在向 Hub 获取文件列表…</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="79"/>
        <source>%1 to download (%2 of %3 already in the cache)</source>
        <translation>需下载 %1（%3 中已有 %2 在缓存中）</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="88"/>
        <source>%1 of %2 at %3/s, about %4 min left</source>
        <translation>%1 / %2，%3/s，约剩 %4 分钟</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="99"/>
        <source>Done: the model is verified and ready.</source>
        <translation>完成：模型已校验，可以使用。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="103"/>
        <source>Resume the download</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="104"/>
        <source>Paused. The bytes fetched so far are kept.</source>
        <translation>已暂停。已下载的数据会保留。</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="106"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../ui/first_run.cpp" line="107"/>
        <source>The download failed: %1</source>
        <translation>下载失败：%1</translation>
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
%2 × %3 · 种子 %4 · %5</translation>
    </message>
    <message>
        <location filename="../ui/gallery_model.cpp" line="103"/>
        <source>Refined from item %1</source>
        <translation>由项目 %1 精修而来</translation>
    </message>
</context>
<context>
    <name>lumina::ui::GalleryPanel</name>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="108"/>
        <source>Search prompts…</source>
        <translation>搜索提示词…</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="110"/>
        <source>Finds the prompt, the negative prompt or the model family (Lumina-Next, Lumina-Image 2.0)</source>
        <translation>按提示词、反向提示词或模型系列（Lumina-Next、Lumina-Image 2.0）搜索</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="112"/>
        <source>Show favourites only</source>
        <translation>只显示收藏</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="132"/>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="134"/>
        <location filename="../ui/gallery_panel.cpp" line="163"/>
        <source>Favourite</source>
        <translation>收藏</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="134"/>
        <source>Mark or unmark as favourite (F)</source>
        <translation>收藏或取消收藏 (F)</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="135"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="135"/>
        <source>Move to the trash (Delete); can be undone</source>
        <translation>移到回收站 (Delete)，可撤销</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="136"/>
        <location filename="../ui/gallery_panel.cpp" line="180"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="136"/>
        <source>Undo the last delete (Ctrl+Z)</source>
        <translation>撤销上一次删除 (Ctrl+Z)</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="137"/>
        <source>Use settings</source>
        <translation>使用设置</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="138"/>
        <source>Copy this image&apos;s settings into the panels</source>
        <translation>把这张图的设置填入面板</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="140"/>
        <source>New seed</source>
        <translation>换种子</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="140"/>
        <source>Queue the same settings with a new seed</source>
        <translation>用相同设置和新种子排队生成</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="142"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="142"/>
        <source>Show the image file in its folder</source>
        <translation>在文件夹中显示图像文件</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="164"/>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="165"/>
        <source>Use these settings</source>
        <translation>使用这些设置</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="168"/>
        <source>Same settings, new seed</source>
        <translation>相同设置，新种子</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="179"/>
        <source>Open containing folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/gallery_panel.cpp" line="244"/>
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 张图像</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="178"/>
        <source>Refine ×%1…</source>
        <translation>精修 ×%1…</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="171"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../ui/gallery_panel.cpp" line="174"/>
        <source>Save again</source>
        <translation>重新保存</translation>
    </message>
</context>
<context>
    <name>lumina::ui::LoraList</name>
    <message>
        <location filename="../ui/lora_list.cpp" line="37"/>
        <source>None: the model as it is</source>
        <translation>无：按模型原样使用</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="40"/>
        <source>Add LoRA…</source>
        <translation>添加 LoRA…</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="43"/>
        <source>LoRA weights for this model (.safetensors), applied in list order with their scales</source>
        <translation>此模型的 LoRA 权重（.safetensors），按列表顺序以各自的强度应用</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="47"/>
        <source>Add a LoRA</source>
        <translation>添加 LoRA</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="48"/>
        <source>LoRA weights (*.safetensors);;All files (*)</source>
        <translation>LoRA 权重 (*.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="117"/>
        <source>LoRA scale</source>
        <translation>LoRA 强度</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="125"/>
        <source>Remove this LoRA</source>
        <translation>移除此 LoRA</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="169"/>
        <source>%1 (missing)</source>
        <translation>%1（缺失）</translation>
    </message>
    <message>
        <location filename="../ui/lora_list.cpp" line="172"/>
        <source>File not found, not applied: %1</source>
        <translation>找不到文件，不会应用：%1</translation>
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
        <translation>此版本不含推理引擎。可运行 lumina-studio --demo 试用界面。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="189"/>
        <source>The gallery database could not be opened (%1). This session uses a temporary database.</source>
        <translation>无法打开图库数据库（%1）。本次会话使用临时数据库。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="196"/>
        <source>The gallery database was damaged. It was moved to %1 and a new, empty gallery was started. Your image files are untouched.</source>
        <translation>图库数据库已损坏，已移至 %1，并新建了一个空图库。您的图像文件未受影响。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="204"/>
        <source>The gallery database was written by a newer Lumina Studio. It was moved to %1 and a new gallery was started.</source>
        <translation>图库数据库由更新版本的 Lumina Studio 写入，已移至 %1，并新建了图库。</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="212"/>
        <source>%n interrupted job(s) were put back in the queue.</source>
        <translation>
            <numerusform>%n 个中断的任务已放回队列。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="225"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="236"/>
        <source>Open a model (File → Open Model…), type a prompt and press Ctrl+Enter.</source>
        <translation>打开模型（文件 → 打开模型…），输入提示词，然后按 Ctrl+Enter。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="241"/>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="244"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="246"/>
        <source>Add to the queue and run (Ctrl+Enter)</source>
        <translation>加入队列并运行 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="247"/>
        <source>Stop and keep</source>
        <translation>停止并保留</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="249"/>
        <source>Stop now and keep the current draft (Shift+Esc)</source>
        <translation>立即停止并保留当前草稿 (Shift+Esc)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="250"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="252"/>
        <source>Stop and discard (Esc)</source>
        <translation>停止并丢弃 (Esc)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="254"/>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="255"/>
        <source>Fit the image to the window (Ctrl+0)</source>
        <translation>使图像适应窗口 (Ctrl+0)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="258"/>
        <source>Actual pixels (Ctrl+1)</source>
        <translation>实际像素 (Ctrl+1)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="295"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="296"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="297"/>
        <source>Gallery</source>
        <translation>图库</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="298"/>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="330"/>
        <source>These settings are for a %1 model, but %2 is a %3 model. Load a %1 model to use them.</source>
        <translation>这些设置适用于 %1 模型，但 %2 是 %3 模型。请加载 %1 模型后再使用。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="339"/>
        <source>Settings copied from the gallery.</source>
        <translation>已从图库复制设置。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="341"/>
        <location filename="../ui/main_window.cpp" line="354"/>
        <location filename="../ui/main_window.cpp" line="589"/>
        <location filename="../ui/main_window.cpp" line="768"/>
        <source>These settings cannot be used: %1</source>
        <translation>无法使用这些设置：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="360"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="361"/>
        <source>&amp;Open Model…</source>
        <translation>打开模型(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="366"/>
        <source>Open Model &amp;File…</source>
        <translation>打开模型文件(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="378"/>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="383"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="387"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="388"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
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
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="400"/>
        <source>Stop and &amp;keep draft</source>
        <translation>停止并保留草稿(&amp;K)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="404"/>
        <source>&amp;Run queue</source>
        <translation>运行队列(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="405"/>
        <source>&amp;Pause queue</source>
        <translation>暂停队列(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="407"/>
        <source>Focus &amp;prompt</source>
        <translation>聚焦提示词(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="417"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="418"/>
        <source>&amp;Fit to window</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="420"/>
        <source>&amp;Actual pixels</source>
        <translation>实际像素(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="426"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="427"/>
        <source>&amp;About Lumina Studio</source>
        <translation>关于 Lumina Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="452"/>
        <source>Loading model… %1 of %2 GB</source>
        <translation>正在加载模型… %1 / %2 GB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="458"/>
        <location filename="../ui/main_window.cpp" line="481"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="470"/>
        <source>Type a prompt and press Ctrl+Enter.</source>
        <translation>输入提示词，然后按 Ctrl+Enter。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="471"/>
        <source>Model %1 loaded.</source>
        <translation>模型 %1 已加载。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="481"/>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="482"/>
        <source>The model could not be loaded: %1 %2 is still loaded and is used.</source>
        <translation>无法加载模型：%1 仍在使用已加载的 %2。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="484"/>
        <source>The model could not be loaded: %1</source>
        <translation>无法加载模型：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="494"/>
        <source>Encoding the prompt…</source>
        <translation>正在编码提示词…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="500"/>
        <source>Decoding the image…</source>
        <translation>正在解码图像…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="569"/>
        <source>Open a model folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="574"/>
        <source>Open a single-file model</source>
        <translation>打开单文件模型</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="576"/>
        <source>Lumina-Image 2.0 checkpoints (*.safetensors)</source>
        <translation>Lumina-Image 2.0 检查点 (*.safetensors)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="822"/>
        <source>The next queued job is for a %1 model, but %2 is a %3 model. Load a %1 model to run it, or remove it from the queue.</source>
        <translation>队列中的下一个任务需要 %1 模型，但 %2 是 %3 模型。请加载 %1 模型来运行它，或将其从队列中移除。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="913"/>
        <source>Step %1 of %2 · about %3 left</source>
        <translation>第 %1 / %2 步 · 约剩 %3</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="983"/>
        <source>&lt;b&gt;Lumina Studio&lt;/b&gt; %1&lt;br&gt;Local text-to-image generation with Lumina-Next and Lumina-Image 2.0.&lt;br&gt;%2</source>
        <translation>&lt;b&gt;Lumina Studio&lt;/b&gt; %1&lt;br&gt;基于 Lumina-Next 和 Lumina-Image 2.0 的本地文生图。&lt;br&gt;%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="986"/>
        <source>No inference engine in this build.</source>
        <translation>此版本不含推理引擎。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="536"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="541"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="543"/>
        <source>Generation failed: %1</source>
        <translation>生成失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="553"/>
        <source>Wait for the current run to finish before loading a model.</source>
        <translation>请等待当前生成结束后再加载模型。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="563"/>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="758"/>
        <source>Type a prompt first.</source>
        <translation>请先输入提示词。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="785"/>
        <source>The queue runs as soon as a model is loaded (File → Open Model…).</source>
        <translation>模型加载后队列就会运行（文件 → 打开模型…）。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="798"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="805"/>
        <source>Stopping, keeping the draft…</source>
        <translation>正在停止，保留草稿…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="832"/>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="844"/>
        <source>A queued job could not be read and was removed: %1</source>
        <translation>无法读取一个排队任务，已将其移除：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="885"/>
        <source>The image could not be added to the gallery: %1</source>
        <translation>无法将图像加入图库：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="890"/>
        <source>Draft kept · %1</source>
        <translation>已保留草稿 · %1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="891"/>
        <source>Done in %1 · seed %2</source>
        <translation>用时 %1 完成 · 种子 %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="940"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
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
        <translation>内存：%1 GB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="952"/>
        <source>%1: %2 / %3 GB</source>
        <translation>%1：%2 / %3 GB</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="968"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="969"/>
        <source>The new language applies after Lumina Studio is restarted.</source>
        <translation>新语言将在重新启动 Lumina Studio 后生效。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="982"/>
        <source>About Lumina Studio</source>
        <translation>关于 Lumina Studio</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="118"/>
        <source>Download of %1 complete and verified.</source>
        <translation>%1 下载完成并已校验。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="120"/>
        <source>The download of %1 failed: %2</source>
        <translation>%1 下载失败：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="129"/>
        <source>Resume download</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="130"/>
        <source>The download of %1 was interrupted. Continue it now? The bytes already fetched are kept.</source>
        <translation>%1 的下载被中断了。现在继续吗？已下载的数据会保留。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="376"/>
        <source>Model &amp;Manager…</source>
        <translation>模型管理器(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="497"/>
        <source>Encoding the init image…</source>
        <translation>正在编码初始图像…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="410"/>
        <source>&amp;Image</source>
        <translation>图像(&amp;I)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="412"/>
        <source>Refine ×%1…</source>
        <translation>精修 ×%1…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="598"/>
        <source>The picture&apos;s file %1 is missing, so it cannot be refined.</source>
        <translation>找不到图像文件 %1，无法精修。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="369"/>
        <source>Open &amp;Image…</source>
        <translation>打开图像(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="371"/>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="372"/>
        <source>Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr);;All files (*)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="632"/>
        <source>%1 cannot be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="639"/>
        <source>%1 carries no generation settings.</source>
        <translation>%1 不包含生成设置。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="640"/>
        <source>%1: no settings could be read (%2).</source>
        <translation>%1：无法读取设置（%2）。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="653"/>
        <source>The settings in %1 cannot be used: %2</source>
        <translation>%1 中的设置无法使用：%2</translation>
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
        <translation>已从 %1（%2）恢复设置：%3。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="669"/>
        <source>Not used here: %1.</source>
        <translation>此处未使用：%1。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="525"/>
        <source>The export to %1 failed: %2</source>
        <translation>导出到 %1 失败：%2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="527"/>
        <source>Exported %1 from the saved 8-bit picture: this item was made before latents were kept, so its full-precision image cannot be decoded again.</source>
        <translation>已从保存的 8 位图像导出 %1：此项目创建于保留潜变量之前，无法重新解码全精度图像。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="532"/>
        <source>Exported %1.</source>
        <translation>已导出 %1。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="879"/>
        <source>The latents of this image could not be kept (Export will use the saved picture): %1</source>
        <translation>无法保留此图像的潜变量（导出将使用保存的图像）：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="684"/>
        <source>Nothing to export: this item has neither kept latents nor its picture %1.</source>
        <translation>没有可导出的内容：此项目既没有保留的潜变量，也没有图像 %1。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="718"/>
        <source>PNG, 16-bit (*.png)</source>
        <translation>PNG，16 位 (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="718"/>
        <source>PNG, 8-bit (*.png)</source>
        <translation>PNG，8 位 (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="719"/>
        <source>TIFF, 16-bit (*.tif)</source>
        <translation>TIFF，16 位 (*.tif)</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="719"/>
        <source>OpenEXR, half float (*.exr)</source>
        <translation>OpenEXR，半精度浮点 (*.exr)</translation>
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
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="523"/>
        <source>Saved again to %1.</source>
        <translation>已重新保存到 %1。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="694"/>
        <source>This picture is saved already: %1</source>
        <translation>此图像已保存：%1</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="698"/>
        <source>This picture cannot be saved again: it was made before latents were kept.</source>
        <translation>无法重新保存此图像：它创建于保留潜变量之前。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="703"/>
        <source>Cannot create the output folder %1. Choose another one in Preferences.</source>
        <translation>无法创建输出文件夹 %1。请在偏好设置中选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="938"/>
        <source>Model: %1 · %2</source>
        <translation>模型：%1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/main_window.cpp" line="974"/>
        <source>Device, precision and the attention kernel apply when the model is loaded again.</source>
        <translation>设备、精度和 attention 内核在重新加载模型时生效。</translation>
    </message>
</context>
<context>
    <name>lumina::ui::ModelManagerDialog</name>
    <message>
        <location filename="../ui/model_manager.cpp" line="37"/>
        <source>Model Manager</source>
        <translation>模型管理器</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="41"/>
        <source>Models in the Hugging Face cache %1 (shared with diffusers and other tools)</source>
        <translation>Hugging Face 缓存 %1 中的模型（与 diffusers 等工具共用）</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Revision</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Commit</source>
        <translation>提交</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="49"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="59"/>
        <source>&amp;Resume</source>
        <translation>继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="60"/>
        <source>&amp;Verify</source>
        <translation>校验(&amp;V)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="61"/>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="62"/>
        <source>Set as &amp;default</source>
        <translation>设为默认(&amp;D)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="78"/>
        <source>A diffusers repository id, e.g. %1</source>
        <translation>diffusers 仓库 ID，例如 %1</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="78"/>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="79"/>
        <source>Do&amp;wnload</source>
        <translation>下载(&amp;W)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="80"/>
        <source>&amp;Cancel download</source>
        <translation>取消下载(&amp;C)</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="81"/>
        <source>Repository:</source>
        <translation>仓库：</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="107"/>
        <source>%1: %2 in total, %3 already in the cache, %4 to download into %5</source>
        <translation>%1：共 %2，缓存中已有 %3，需下载 %4 到 %5</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="113"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="113"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="114"/>
        <source>Downloading %1: %2 of %3, %4/s, %5 left — %6</source>
        <translation>正在下载 %1：%2 / %3，%4/s，剩余 %5 — %6</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="122"/>
        <source>%1 is complete and verified.</source>
        <translation>%1 已完整并通过校验。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="124"/>
        <source>Download paused. Resume continues where it stopped.</source>
        <translation>下载已暂停。继续时会从中断处开始。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="126"/>
        <source>Download failed: %1</source>
        <translation>下载失败：%1</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="143"/>
        <location filename="../ui/model_manager.cpp" line="181"/>
        <source>Complete</source>
        <translation>完整</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="143"/>
        <source>Incomplete</source>
        <translation>不完整</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="144"/>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="194"/>
        <source>Asking the Hub about %1…</source>
        <translation>正在向 Hub 查询 %1…</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="220"/>
        <source>Verifying %1…</source>
        <translation>正在校验 %1…</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="235"/>
        <source>%1: every file matches its hash.</source>
        <translation>%1：所有文件都与其哈希一致。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="236"/>
        <source>%1: damaged files: %2. Delete and download again.</source>
        <translation>%1：损坏的文件：%2。请删除后重新下载。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="250"/>
        <source>Delete model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="251"/>
        <source>Delete %1 (every revision and partial download) from the cache %2?</source>
        <translation>要从缓存 %2 中删除 %1（所有版本和未完成的下载）吗？</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="257"/>
        <source>%1 was deleted.</source>
        <translation>%1 已删除。</translation>
    </message>
    <message>
        <location filename="../ui/model_manager.cpp" line="259"/>
        <source>Could not delete %1: %2</source>
        <translation>无法删除 %1：%2</translation>
    </message>
</context>
<context>
    <name>lumina::ui::PreferencesDialog</name>
    <message>
        <location filename="../ui/preferences.cpp" line="82"/>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="86"/>
        <source>Automatic (GPU when available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
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
        <translation>自动（GPU 用 bf16，CPU 用 fp32）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="94"/>
        <source>fp32 (exact, slow, most memory)</source>
        <translation>fp32（精确、较慢、内存占用最大）</translation>
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
        <translation>自动（内存不足时分块）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="101"/>
        <source>Always in tiles (least memory)</source>
        <translation>始终分块（内存占用最少）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="102"/>
        <source>Never in tiles</source>
        <translation>从不分块</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="106"/>
        <source>Automatic (from free memory)</source>
        <translation>自动（按可用内存）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="108"/>
        <location filename="../ui/preferences.cpp" line="110"/>
        <source>%1 pixels</source>
        <translation>%1 像素</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="127"/>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="134"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="136"/>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="142"/>
        <source>&amp;Device:</source>
        <translation>设备(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="143"/>
        <source>&amp;Precision:</source>
        <translation>精度(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="144"/>
        <source>&amp;VAE decoding:</source>
        <translation>VAE 解码(&amp;V)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="145"/>
        <source>VAE &amp;tile size:</source>
        <translation>VAE 分块大小(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="147"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="148"/>
        <source>&amp;Output folder:</source>
        <translation>输出文件夹(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="114"/>
        <source>Automatic (fastest measured on the GPU)</source>
        <translation>自动（GPU 上实测最快的）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="115"/>
        <source>LibTorch&apos;s choice per call</source>
        <translation>每次调用由 LibTorch 选择</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="116"/>
        <source>Math (reference, most memory)</source>
        <translation>Math（参考实现，内存占用最多）</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="117"/>
        <source>Flash attention</source>
        <translation>Flash attention</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="118"/>
        <source>Memory-efficient attention</source>
        <translation>内存高效 attention</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="119"/>
        <source>cuDNN attention</source>
        <translation>cuDNN attention</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="122"/>
        <source>Which attention kernel the GPU runs. Automatic times each kernel once per GPU and image shape and remembers the fastest; the CPU always uses LibTorch&apos;s own kernel, as the reference does.</source>
        <translation>GPU 运行哪种 attention 内核。“自动”会针对每块 GPU 和图像形状各测量一次所有内核并记住最快的；CPU 始终与参考实现一样使用 LibTorch 自带的内核。</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="146"/>
        <source>&amp;Attention kernel:</source>
        <translation>Attention 内核(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../ui/preferences.cpp" line="152"/>
        <source>Device, precision and the attention kernel apply the next time a model is loaded. A new language applies after a restart.</source>
        <translation>设备、精度和 attention 内核在下次加载模型时生效，新语言在重启后生效。</translation>
    </message>
</context>
<context>
    <name>lumina::ui::PromptPanel</name>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="23"/>
        <source>Describe the image… (Ctrl+Enter to generate, Alt+Up/Down for history)</source>
        <translation>描述想要的图像…（Ctrl+Enter 生成，Alt+上/下 浏览历史）</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="26"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="32"/>
        <source>Negative prompt (optional)</source>
        <translation>反向提示词（可选）</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="36"/>
        <source>Negative prompt</source>
        <translation>反向提示词</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="37"/>
        <source>&amp;Prompt</source>
        <translation>提示词(&amp;P)</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="39"/>
        <source>&amp;Negative prompt</source>
        <translation>反向提示词(&amp;N)</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="126"/>
        <source>%1 / %2 tokens — the highlighted end is cut off</source>
        <translation>%1 / %2 个词元 — 高亮的结尾部分会被截断</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="127"/>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 个词元</translation>
    </message>
    <message>
        <location filename="../ui/prompt_panel.cpp" line="145"/>
        <source>Token count appears once a model is loaded</source>
        <translation>加载模型后显示词元数</translation>
    </message>
</context>
<context>
    <name>lumina::ui::QueuePanel</name>
    <message>
        <location filename="../ui/queue_panel.cpp" line="22"/>
        <source>Job queue</source>
        <translation>任务队列</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="26"/>
        <location filename="../ui/queue_panel.cpp" line="73"/>
        <source>Run queue</source>
        <translation>运行队列</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="30"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="33"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="34"/>
        <source>Run earlier (Ctrl+Up)</source>
        <translation>提前运行 (Ctrl+Up)</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="37"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="38"/>
        <source>Run later (Ctrl+Down)</source>
        <translation>推后运行 (Ctrl+Down)</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="73"/>
        <source>Pause queue</source>
        <translation>暂停队列</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="88"/>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="90"/>
        <source>(unreadable job)</source>
        <translation>（无法读取的任务）</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="92"/>
        <source>▶ running</source>
        <translation>▶ 运行中</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="92"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../ui/queue_panel.cpp" line="93"/>
        <source>%1 · %2 · seed %3 — %4</source>
        <translation>%1 · %2 · 种子 %3 — %4</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/queue_panel.cpp" line="99"/>
        <source>%n job(s)</source>
        <translation>
            <numerusform>%n 个任务</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lumina::ui::RefineDialog</name>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="20"/>
        <location filename="../ui/refine_dialog.cpp" line="37"/>
        <source>Refine</source>
        <translation>精修</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="23"/>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="40"/>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="41"/>
        <source>Strength</source>
        <translation>强度</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="31"/>
        <source>How much of the schedule runs again at the large size: lower keeps more of the picture, 1 starts from noise.</source>
        <translation>在大尺寸下重新运行多少调度：越低保留越多原图，1 表示从噪声开始。</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="72"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="72"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="73"/>
        <source>%1 × %2 → %3 × %4, %5 of %6 steps, same prompt and seed. Estimate: about %7 and %8 GB of memory (a rough guide, not a measurement).</source>
        <translation>%1 × %2 → %3 × %4，%6 步中的 %5 步，相同的提示词和种子。估计：约 %7，内存 %8 GB（粗略参考，并非实测）。</translation>
    </message>
    <message>
        <location filename="../ui/refine_dialog.cpp" line="85"/>
        <source>This needs about %1 GB but only %2 GB are available: choose a smaller factor.</source>
        <translation>需要约 %1 GB，但只有 %2 GB 可用：请选择更小的倍数。</translation>
    </message>
</context>
<context>
    <name>lumina::ui::SettingsPanel</name>
    <message>
        <location filename="../ui/settings_panel.cpp" line="88"/>
        <source>Native (about 1 megapixel)</source>
        <translation>原生（约 100 万像素）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="92"/>
        <source>Extrapolated (beyond training size)</source>
        <translation>外推（超出训练尺寸）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="97"/>
        <location filename="../ui/settings_panel.cpp" line="355"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="108"/>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="109"/>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="113"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="114"/>
        <source>Keep the aspect ratio when one side changes</source>
        <translation>修改一边时保持宽高比</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="118"/>
        <source>Swap width and height</source>
        <translation>交换宽和高</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="125"/>
        <source>Si&amp;ze:</source>
        <translation>尺寸(&amp;Z)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="136"/>
        <source>S&amp;teps:</source>
        <translation>步数(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="137"/>
        <source>G&amp;uidance:</source>
        <translation>引导强度(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="141"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="142"/>
        <source>Fixed</source>
        <translation>固定</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="143"/>
        <source>Increment</source>
        <translation>递增</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="147"/>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="148"/>
        <source>Reuse last</source>
        <translation>沿用上次</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="156"/>
        <source>See&amp;d:</source>
        <translation>种子(&amp;D)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="39"/>
        <source>Lumina (official demo recipe)</source>
        <translation>Lumina（官方演示配方）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="41"/>
        <source>Lumina-Image 2.0 (official sample.py recipe)</source>
        <translation>Lumina-Image 2.0（官方 sample.py 配方）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="43"/>
        <source>Diffusers (Lumina2Pipeline defaults)</source>
        <translation>Diffusers（Lumina2Pipeline 默认值）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="44"/>
        <source>Diffusers (LuminaPipeline defaults)</source>
        <translation>Diffusers（LuminaPipeline 默认值）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="165"/>
        <source>Midpoint (2 evaluations per step)</source>
        <translation>中点法（每步 2 次计算）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="166"/>
        <source>Euler</source>
        <translation>欧拉法</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="167"/>
        <source>Diffusers Euler</source>
        <translation>Diffusers 欧拉法</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="168"/>
        <source>RK4 (4 evaluations per step)</source>
        <translation>RK4（每步 4 次计算）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="171"/>
        <source>Uniform</source>
        <translation>均匀</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="172"/>
        <source>Sigmoid</source>
        <translation>Sigmoid</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="177"/>
        <source>Pre&amp;set:</source>
        <translation>预设(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="178"/>
        <source>Sa&amp;mpler:</source>
        <translation>采样器(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="179"/>
        <source>S&amp;chedule:</source>
        <translation>时间表(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="180"/>
        <source>Time sh&amp;ift:</source>
        <translation>时间偏移(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="185"/>
        <source>Generate adds this many jobs to the queue, with seeds following the seed mode</source>
        <translation>“生成”会向队列加入这么多任务，种子按种子模式取值</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="186"/>
        <source>&amp;Batch count:</source>
        <translation>批量数(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="227"/>
        <source>Extrapolation</source>
        <translation>外推</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="323"/>
        <source>Time-aware (recommended)</source>
        <translation>时间感知（推荐）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="324"/>
        <source>NTK</source>
        <translation>NTK</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="325"/>
        <source>Linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="326"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="331"/>
        <source>Scale below the native size too</source>
        <translation>低于原生尺寸时也缩放</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="332"/>
        <source>Proportional attention</source>
        <translation>比例注意力</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="334"/>
        <source>Context drop</source>
        <translation>上下文丢弃</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="336"/>
        <source>RoPE scaling:</source>
        <translation>RoPE 缩放：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="337"/>
        <source>Watershed:</source>
        <translation>分水岭：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="353"/>
        <source>Superior (default)</source>
        <translation>Superior（默认）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="354"/>
        <source>Alignment</source>
        <translation>Alignment</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="356"/>
        <source>The instruction Gemma reads before the prompt (Lumina2Pipeline&apos;s system_prompt); the two official ones or your own text</source>
        <translation>Gemma 在提示词之前读取的指令（Lumina2Pipeline 的 system_prompt）：两种官方指令之一或自定义文本</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="360"/>
        <source>System prompt text</source>
        <translation>系统提示词文本</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="361"/>
        <source>System prompt:</source>
        <translation>系统提示词：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="365"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="366"/>
        <source>Rows (diffusers)</source>
        <translation>按行（diffusers）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="367"/>
        <source>Clip (official)</source>
        <translation>裁剪（官方）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="368"/>
        <source>Plain guidance: uncond + scale × (cond − uncond)</source>
        <translation>普通引导：uncond + scale × (cond − uncond)</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="371"/>
        <source>Every row of the guided prediction rescaled to the conditional one&apos;s norm (Lumina2Pipeline)</source>
        <translation>引导后预测的每一行都缩放到条件预测的范数（Lumina2Pipeline）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="374"/>
        <source>The guided prediction&apos;s norm clipped at the conditional one&apos;s (official sample.py, renorm_cfg 1)</source>
        <translation>引导后预测的范数被裁剪到条件预测的范数（官方 sample.py，renorm_cfg 1）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="377"/>
        <source>How the guided prediction&apos;s size is kept in check at high guidance</source>
        <translation>高引导强度下如何控制引导后预测的大小</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="383"/>
        <source>Guidance runs on the first part of the steps only (1: every step); the later steps run the conditional branch alone</source>
        <translation>引导只在前一部分步骤中进行（1：每一步）；之后的步骤只计算条件分支</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="388"/>
        <source>CFG normalization:</source>
        <translation>CFG 归一化：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="389"/>
        <source>CFG truncation:</source>
        <translation>CFG 截断：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="393"/>
        <source>LoRAs:</source>
        <translation>LoRA：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="456"/>
        <source>Guidance is off at this scale: every step runs the conditional branch only.</source>
        <translation>此强度下引导关闭：每一步只计算条件分支。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="458"/>
        <source>Guided on %1 of %2 steps: saves %3 of %4 model evaluations.</source>
        <translation>%2 步中有 %1 步使用引导：%4 次模型计算中节省 %3 次。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="550"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="550"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="659"/>
        <source>Use seed %1 again</source>
        <translation>再次使用种子 %1</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="192"/>
        <source>None: start from noise</source>
        <translation>无：从噪声开始</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="195"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="199"/>
        <source>Start from noise again</source>
        <translation>重新从噪声开始</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="204"/>
        <source>I&amp;nit image:</source>
        <translation>初始图像(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="213"/>
        <source>How much of the schedule runs from the picture: lower keeps more of it, 1 starts from noise</source>
        <translation>从图像开始运行多少调度：越低保留越多，1 表示从噪声开始</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="216"/>
        <source>Fit (stretch to the size)</source>
        <translation>适应（拉伸到尺寸）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="217"/>
        <source>Crop (keep its aspect ratio)</source>
        <translation>裁剪（保持宽高比）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="221"/>
        <source>Stren&amp;gth:</source>
        <translation>强度(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="275"/>
        <source>Init image</source>
        <translation>初始图像</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="276"/>
        <source>Images (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr *.bmp);;All files (*)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.webp *.tif *.tiff *.exr *.bmp);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="556"/>
        <source>Estimate for %1 on %2: about %3 and %4 GB of memory for %5 image tokens. A rough guide, not a measurement.</source>
        <translation>在 %2 上运行 %1 的估计：约 %3，内存 %4 GB（%5 个图像 token）。粗略参考，并非实测。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="552"/>
        <source>%1 (%2B parameters)</source>
        <translation>%1（%2B 参数）</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="555"/>
        <source>Lumina-Next-SFT (2B)</source>
        <translation>Lumina-Next-SFT (2B)</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="532"/>
        <source>The text encoder leaves the GPU after encoding.</source>
        <translation>文本编码器在编码后移出 GPU。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="534"/>
        <source>The text encoder and the transformer take turns on the GPU.</source>
        <translation>文本编码器和 Transformer 轮流占用 GPU。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="535"/>
        <source>The VAE decodes in tiles.</source>
        <translation>VAE 分块解码。</translation>
    </message>
    <message>
        <location filename="../ui/settings_panel.cpp" line="537"/>
        <source>This is more than the %1 GB the device offers: choose a smaller size.</source>
        <translation>这超出了设备可用的 %1 GB：请选择更小的尺寸。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../ui/demo_mode.cpp" line="51"/>
        <source>A wide valley at golden hour, layered mountains fading into haze, soft painterly light</source>
        <translation>黄金时刻的宽阔山谷，层叠的群山隐入薄雾，柔和的绘画感光线</translation>
    </message>
</context>
</TS>
