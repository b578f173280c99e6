"""Benchmark: a Chinese report's PDF against an English report of the same page count.

    .venv/bin/python bench/cjk.py [--runs 3] [--sections 14]

The English report is the seed (input/openinfra-annual-report-2021.md). The Chinese one is made here
from sentences written for this benchmark (no copyrighted text), in the seed's shape: parts, articles,
paragraphs, lists and a table per part, sized to about the seed's page count. Both go through
`convert --to pdf` in a fresh process; the figures are the median wall time of --runs runs and the
peak memory of the process tree (PSS, bench/peak.py), with the page counts and the ratio. The target:
subsetting the CJK fallback font keeps the Chinese PDF within 1.5× the English one's time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from peak import sample_run  # bench/ is this script's folder
from run import CONVERT, REPO, SEED, timed

SENTENCES = [
    "开放基础设施社区在过去一年中继续壮大，来自一百多个国家的贡献者参与了项目。",
    "我们的目标是让每个组织都能够使用开放的软件构建自己的云平台。",
    "许多企业把关键业务迁移到了开源平台上，并与社区分享了他们的经验。",
    "新的版本带来了更好的性能、更简单的升级流程以及更完善的文档。",
    "社区成员在世界各地举办了线上和线下的交流活动，吸引了大量新用户。",
    "安全始终是我们最重视的问题，漏洞管理团队在每个版本发布前都会进行审查。",
    "边缘计算的需求快速增长，电信运营商正在大规模部署开放基础设施。",
    "教育和培训项目帮助年轻工程师了解分布式系统和云原生技术。",
    "基金会感谢所有会员单位的支持，正是他们的投入让社区能够持续发展。",
    "我们鼓励更多的公司参与上游开发，而不是只在内部维护自己的分支。",
    "测试基础设施每天运行数万个任务，确保每一次提交都经过充分验证。",
    "用户调查显示，生产环境中的部署规模比去年增长了百分之三十以上。",
    "多个工作组正在讨论如何简化网络配置，并改进存储系统的可靠性。",
    "硬件加速和人工智能工作负载对调度系统提出了新的要求。",
    "我们与其他开源基金会密切合作，共同推动标准的制定与互操作性。",
    "志愿者翻译团队把用户界面和文档翻译成了二十多种语言。",
    "在亚洲地区，社区的活跃程度持续提高，新的用户组相继成立。",
    "项目治理结构保持透明，所有技术决策都在公开的会议和邮件列表中讨论。",
    "一些大型用户分享了他们如何在数千台服务器上运行私有云的经验。",
    "我们相信开放的协作方式能够带来更快的创新和更高的软件质量。",
    "发布团队按照固定的时间表工作，每六个月推出一个新的版本。",
    "文档团队重新组织了安装指南，使新用户能够在一天之内完成部署。",
    "社区还推出了导师计划，帮助第一次参与开源项目的开发者找到方向。",
    "能源效率成为数据中心运营者关注的重点，相关功能得到了持续改进。",
]
ITEMS = ["提升系统的稳定性与可扩展性", "改进升级和迁移工具", "扩大全球用户社区", "加强安全审查流程",
         "完善多语言文档", "支持新的硬件平台"]
PARTS = ["社区概况", "技术进展", "用户与案例", "活动与交流", "治理与财务", "未来计划", "合作伙伴"]


def chinese_report(sections: int, seed: int = 2026) -> str:
    """A Chinese report in the seed's shape: parts (h1) of articles (h2) of paragraphs, lists, tables."""
    rng = random.Random(seed)
    lines = ["---", "title: 开放基础设施年度报告", "subtitle: 社区、技术与未来", "---", ""]
    for part in range(sections):
        lines += [f"# {PARTS[part % len(PARTS)]}（第{part + 1}部分）", ""]
        for article in range(3):
            lines += [f"## 第{part + 1}.{article + 1}节 {rng.choice(ITEMS)}", ""]
            for _ in range(4):
                lines += ["".join(rng.choice(SENTENCES) for _ in range(rng.randint(4, 7))), ""]
            lines += [f"- {item}" for item in rng.sample(ITEMS, 3)] + [""]
        lines += ["| 项目 | 数量 | 增长 |", "| --- | --- | --- |"]
        lines += [f"| {item} | {rng.randint(100, 9999)} | {rng.randint(1, 60)}% |" for item in rng.sample(ITEMS, 4)]
        lines.append("")
    return "\n".join(lines)


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def measure(source: Path, out: Path, runs: int) -> dict[str, float]:
    command = [*CONVERT, str(source), "--to", "pdf", "-o", str(out), "--force", "-q", "-j", "1"]
    seconds = statistics.median(timed(command) for _ in range(runs))
    _, pss, _processes = sample_run(command, cwd=REPO)
    return {"seconds": seconds, "pss_mib": pss, "pages": pdf_pages(out / f"{source.stem}.pdf")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sections", type=int, default=6, help="parts in the Chinese report (6 ≈ the seed's 28 pages)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cjk-") as folder:
        work = Path(folder)
        chinese = work / "chinese-report.md"
        chinese.write_text(chinese_report(args.sections), encoding="utf-8")
        subprocess.run([*CONVERT, str(chinese), "--to", "pdf", "-o", str(work / "warm"), "-q"], check=True)
        english = measure(SEED, work / "en", args.runs)
        han = measure(chinese, work / "zh", args.runs)
    rows = [("English (seed)", english), ("Chinese (generated)", han)]
    print("| document | pages | PDF seconds (median) | peak PSS MiB |")
    print("| --- | --- | --- | --- |")
    for name, row in rows:
        print(f"| {name} | {row['pages']} | {row['seconds']:.2f} | {row['pss_mib']} |")
    ratio = han["seconds"] / english["seconds"]
    print(f"\nChinese / English time: {ratio:.2f}× (target ≤ 1.5×); "
          f"per page: {han['seconds'] / han['pages']:.3f} s against {english['seconds'] / english['pages']:.3f} s")
    sys.exit(0 if ratio <= 1.5 else 1)


if __name__ == "__main__":
    main()
