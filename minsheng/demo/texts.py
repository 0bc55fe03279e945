"""What residents write and what staff answer in the demo county.

Each ``Template`` is one kind of problem: a few ways a resident titles and describes it,
the progress notes a unit writes while working on it and the resolutions it reports.
Slots in braces ({v} the village or community, {spot} a place in it, {since} when it
started…) are filled from the demo's random generator, and every description is put
together from an opener, the problem, its impact and a request, so two thousand cases
read like two thousand residents rather than one form letter.

All of it is invented; any likeness to a real place or person is accidental.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

WINTER = (11, 12, 1, 2, 3)
HEATING = (10, 11, 12, 1, 2, 3)
SUMMER = (5, 6, 7, 8, 9)
SCHOOL_TERM = (2, 3, 4, 5, 6, 9, 10, 11, 12)


@dataclass(frozen=True)
class Template:
    cat: str
    titles: tuple[str, ...]
    cores: tuple[str, ...]
    notes: tuple[str, ...]
    resolutions: tuple[str, ...]
    where: str = "any"  # "village", "community" or "any"
    months: tuple[int, ...] | None = None
    weight: float = 1.0
    urgent: float = 0.05
    # A department key (geography.DEPARTMENTS) the operator sends it to instead of the
    # routing proposal, as an operator would after reading the description.
    dispatch_to: str | None = None
    language: str = "zh-hans"
    # Whether a generic sentence about the impact ("晚上出行很危险。") fits the problem.
    impact: bool = True
    # For declined requests: the reasons an operator gives.
    decline_reasons: tuple[str, ...] = field(default_factory=tuple)

    def fits(self, *, kind: str, month: int) -> bool:
        if self.where != "any" and self.where != kind:
            return False
        return self.months is None or month in self.months


def T(cat: str, titles, cores, notes, resolutions, **kw) -> Template:  # noqa: N802
    return Template(cat, tuple(titles), tuple(cores), tuple(notes), tuple(resolutions), **kw)


# --- the problems ----------------------------------------------------------------------

TEMPLATES: list[Template] = [
    # 供水 ------------------------------------------------------------------------------
    T("water",
      ["{spot}水管破裂，停水{n}天了", "{v}{spot}自来水管爆了", "{spot}的水管漏水严重",
       "{group}停水，水管破了没人修"],
      ["{spot}的自来水管{since}破了，水一直往路上流，{group}这一片已经{n}天没水用了。",
       "{since}{spot}那段供水管道开始漏水，路面都泡软了，附近几十户拧开龙头一滴水都没有。",
       "{spot}埋在路下面的水管{since}裂了，水从地面往外冒，{group}家家户户都停了水。"],
      ["已安排管水员到现场查看，确认是{pipe}老化开裂。",
       "已关闭上游阀门止漏，维修材料正在采购。",
       "已联系施工人员，计划明天上午开挖更换管道，已通过村广播通知停水时间。",
       "停水期间安排水车给{group}送水，每天上午、下午各一次。"],
      ["已更换破损管道{n2}米，当天下午恢复供水，水压正常。",
       "漏点已修复，更换了{pipe}和两个接头，已恢复供水并回填路面。",
       "抢修完毕，{group}已恢复供水，管水员回访确认各户用水正常。"],
      where="village", weight=3.0, urgent=0.35),
    T("water",
      ["自来水浑浊发黄", "{v}自来水有异味", "水里有沙子，不敢喝", "{group}的自来水发浑"],
      ["{since}家里的自来水放出来是黄的，烧开了有一层水垢，还有一股铁锈味。{group}好几户都是这样，不知道还能不能喝。",
       "最近自来水里有很多细沙，洗衣机的进水口都堵了，烧水壶底下一层泥。",
       "{since}开始自来水有一股消毒水和土腥混在一起的味道，孩子喝了说肚子不舒服。"],
      ["已取水样送县疾控中心检测。",
       "已对蓄水池进行排查，发现沉淀池长期未清洗。",
       "已通知供水站对管网分段冲洗。"],
      ["已清洗蓄水池并加氯消毒，水样检测结果合格，已告知村民。",
       "更换了过滤设备滤芯，冲洗了管网，水质已恢复正常，检测报告已在村务公开栏张贴。"],
      weight=2.0, urgent=0.15),
    T("water",
      ["{spot}水压太小，二楼上不去水", "{group}用水高峰期没水", "早晚接不到水"],
      ["每天早上七点到九点、晚上六点以后，{group}的水龙头只有细细一股，地势高的几户根本接不到水。",
       "{spot}一带水压一直很低，{since}更严重了，热水器都打不着火。"],
      ["已在高峰时段实地测量水压，末端压力明显不足。",
       "已协调供水站调整加压泵运行时间。"],
      ["加压泵已调整为高峰时段全功率运行，并更换了一段变径管，末端水压已达标。",
       "已在{spot}加装一台管道增压泵，经回访高峰时段用水正常。"],
      weight=1.5),
    T("water",
      ["停水没有提前通知", "{v}突然停水，也不知道什么时候来水"],
      ["今天早上突然停水，事先没有任何通知，家里做饭、给牲畜饮水都成问题。想问一下什么原因，什么时候能来水。",
       "{since}停了一整天水，问谁都不知道原因，希望以后停水能提前说一声。"],
      ["经核实为供水站检修主管道临时停水。"],
      ["已于当天{hh}点恢复供水。已要求供水站今后计划停水须提前24小时通过村广播和微信群通知。"],
      weight=1.2),
    T("water",
      ["{bld}停水", "{bld}{n}天没有水", "小区二次供水水箱太脏"],
      ["{bld}{since}停水，物业说是市政管网的问题，打了几次电话都说在修，到现在还没有来水。",
       "小区地下室的二次供水水箱好几年没清洗过，水里能看到小红虫，住户都不敢直接喝。"],
      ["已联系县供水公司核实，是{spot}附近市政管道维修。",
       "已约谈物业公司，要求三日内完成水箱清洗。"],
      ["市政管网抢修完毕，{bld}已恢复供水。",
       "已督促物业公司对二次供水水箱进行清洗消毒，并张贴了水质检测报告。"],
      where="community", weight=2.0, urgent=0.2),
    T("water",
      ["{spot}的公用水井坏了", "公用压水井压不上水"],
      ["{spot}的公用压水井{since}压不上水，附近几户老人每天要走很远去挑水。"],
      ["已安排人员检查，水井皮碗和拉杆磨损。"],
      ["已更换水井的皮碗和拉杆，恢复正常使用。"],
      where="village", weight=0.6),
    T("water",
      ["入户水管冻裂", "{group}水管冻住了"],
      ["这几天降温，{group}好几户的入户水管冻住了，有的已经冻裂，家里没法用水。"],
      ["已安排管水员逐户查看，共{n}户水管受冻。"],
      ["已帮助受冻住户解冻并更换冻裂管段，裸露管段加装了保温层。"],
      where="village", months=WINTER, weight=1.5, urgent=0.3),
    # 道路交通 --------------------------------------------------------------------------
    T("roads",
      ["{spot}的路面坑洼严重", "{v}通村路坑太多", "{spot}路烂了没人修"],
      ["{spot}那段水泥路{since}坏得越来越厉害，坑有脸盆那么大，下雨天积满水看不出深浅，已经有骑电动车的摔倒了。",
       "通往{v}的村道{spot}一段路面塌陷，拉货的三轮车过不去，只能绕很远。"],
      ["已到现场测量，破损路面约{n2}平方米。",
       "已上报镇里申请道路养护资金。",
       "养护队已进场，先用碎石填平了最大的几个坑。"],
      ["已对破损路面进行修补，共修补坑槽{n}处，路面已恢复平整。",
       "已重新浇筑塌陷路段混凝土路面{n2}平方米，养护期满后已开放通行。"],
      where="village", weight=2.5),
    T("roads",
      ["{spot}的路灯不亮了", "{spot}路灯坏了{n}盏", "晚上{spot}黑漆漆的"],
      ["{spot}的路灯{since}就不亮了，晚上黑漆漆的，学生放学和老人出门都不安全。",
       "{spot}一排路灯有{n}盏不亮，剩下的也一闪一闪的，晚上走路全靠手机照明。"],
      ["已联系电工排查，发现是线路老化短路。",
       "灯具已订购，到货后安排更换。"],
      ["已更换损坏的灯头和线路，{n}盏路灯全部恢复照明。",
       "已更换为太阳能路灯，晚上照明正常。"],
      weight=2.5),
    T("roads",
      ["去县城的班车太少", "{v}的公交站牌被撞倒了"],
      ["{v}到县城的班车每天只有早晚两趟，中午有事进城只能包车，希望能增加班次或者调整时间。",
       "{spot}的公交站牌{since}被车撞倒了，一直没有恢复，等车的人不知道在哪里等。"],
      ["已转县交通运输局，与客运公司研究调整班次。"],
      ["县交通运输局已协调客运公司，每天增加中午一个班次，自下周一起执行。",
       "已重新安装公交站牌并加装了候车亭。"],
      dispatch_to="transport", weight=1.0, impact=False),
    T("roads",
      ["{spot}的小桥栏杆断了", "过水桥没有护栏，很危险"],
      ["{spot}那座过水小桥的栏杆{since}被车撞断了，桥下水深，孩子们每天上学都从这里过，很危险。"],
      ["已设置临时警示牌和围挡。", "已联系焊工，材料到位后施工。"],
      ["已重新焊接安装栏杆并刷漆，增设了警示标志。"],
      where="village", weight=0.8, urgent=0.3),
    T("roads",
      ["{group}的路还没硬化", "入户路一下雨就没法走"],
      ["{group}到主路的一段土路还没有硬化，下雨一身泥，车也进不来，老人看病都不方便。"],
      ["已实地测量，该路段长约{n2}米。", "已上报镇政府纳入道路硬化项目库。"],
      ["该路段已纳入明年村组道路硬化计划，近期已先铺设砂石保证通行。",
       "已完成{n2}米入户路硬化。"],
      where="village", weight=1.0),
    T("roads",
      ["{spot}井盖丢了", "{spot}的井盖破了", "小区门口积水严重"],
      ["{spot}的一个井盖不见了，晚上看不清很容易掉进去，已经有人崴了脚。",
       "每次下雨{spot}都积水，最深的地方没过脚脖子，出门只能蹚水。"],
      ["已设置临时围挡和警示标志。", "已联系市政排水部门疏通雨水管道。"],
      ["已加装新井盖并设置防盗链。", "已疏通雨水管道并新增雨水篦子两处，降雨后无积水。"],
      where="community", weight=1.5, urgent=0.4),
    T("roads",
      ["{spot}路面结冰没人清扫", "下雪后路上全是冰"],
      ["前两天下雪后{spot}的路面一直没清理，现在结成了冰，早上好几个人滑倒了。"],
      ["已组织人员清扫。"],
      ["已组织人员和铲车清扫积雪，撒了融雪剂，路面已通行正常。"],
      months=(11, 12, 1, 2), weight=1.5),
    # 医疗卫生 --------------------------------------------------------------------------
    T("health",
      ["村卫生室经常没人", "{v}卫生室白天锁门"],
      ["{v}卫生室{since}经常锁着门，村医不在，老人量个血压、拿点常用药都要跑到镇上。"],
      ["已联系乡镇卫生院了解村医排班情况。"],
      ["已要求村医公示坐诊时间并保证每天上午坐诊，卫生院每周派医生下村巡诊一次。"],
      where="village", weight=1.5),
    T("health",
      ["卫生室常用药缺货", "买不到降压药"],
      ["卫生室的降压药、降糖药{since}就缺货，说是没进货，慢性病老人只能去镇上买，来回很不方便。"],
      ["已协调卫生院核查药品配送情况。"],
      ["已协调卫生院调配药品，常用慢性病药已补齐，并建立了缺药登记制度。"],
      weight=1.2),
    T("health",
      ["医保报销跑了好几趟", "住院报销手续太麻烦"],
      ["在县医院住院后回来报销，来回跑了三趟还没有办完，每次都说缺材料，希望能一次告知清楚。"],
      ["已联系县医保服务窗口核实所需材料。"],
      ["已为群众一次性告知所需材料，由医保窗口帮办，报销已完成。"],
      weight=1.0),
    T("health",
      ["签约家庭医生没人随访", "家庭医生签了约没见过人"],
      ["签了家庭医生，但一年多没人来随访过，家里老人有高血压，想知道怎么能得到服务。"],
      ["已联系签约团队核实。"],
      ["已安排签约医生上门随访，建立了健康档案，今后每季度随访一次。"],
      weight=0.8),
    T("health",
      ["希望周末开放疫苗接种", "打疫苗时间不方便"],
      ["镇卫生院打疫苗只在周二、周四上午，上班的家长没法带孩子去，能不能周末开放一次。"],
      ["已与卫生院沟通接种门诊安排。"],
      ["卫生院已增设每月第一个周六上午的接种门诊，并在微信群通知。"],
      weight=0.6),
    # 教育与校车 ------------------------------------------------------------------------
    T("education",
      ["校车接送时间太早", "{v}的校车能不能晚点发车"],
      ["{v}的孩子坐校车去{school}，每天早上六点半就要在路口等车，天还没亮，又冷。希望调整一下接送时间和路线。"],
      ["已联系校车运营公司核实路线和时刻。"],
      ["已协调校车公司优化路线，发车时间推迟至七点十分，并在等车点设置了候车棚。"],
      months=SCHOOL_TERM, weight=1.5),
    T("education",
      ["幼儿园校车超载", "校车坐得太挤"],
      ["看到接送{v}孩子的幼儿园校车每天坐得满满的，孩子挤在一起，担心安全问题。"],
      ["已会同交警对校车进行检查。"],
      ["经核查该车存在超员情况，已责令整改，增派一辆车接送。"],
      months=SCHOOL_TERM, weight=0.8, urgent=0.3),
    T("education",
      ["{school}门口车速太快", "学校门口需要减速带"],
      ["{school}门口正对着公路，车速很快，放学时家长和孩子都在路边，希望能安装减速带和人行横道。"],
      ["已现场查看学校周边道路情况。"],
      ["已在学校门口路段施划人行横道，安装减速带两处并设置提示牌，上下学时段安排护学岗。"],
      weight=1.0),
    T("education",
      ["学校午饭经常是凉的", "学生营养餐分量少"],
      ["孩子回家说学校的午饭{since}经常是凉的，菜也少，吃不饱。"],
      ["已到学校食堂检查。"],
      ["已督促学校改进配餐保温措施，并每周公开食谱和用餐满意度。"],
      months=SCHOOL_TERM, weight=0.8),
    T("education",
      ["孩子入学需要什么材料", "一年级报名咨询"],
      ["我们从外地回来，孩子明年上一年级，不知道报名需要准备什么材料，去哪里办。"],
      [],
      ["已电话告知入学报名所需材料和时间，并指导在线报名。"],
      weight=0.7),
    T("education",
      ["教室暖气不热", "{school}教室太冷"],
      ["{school}有的教室暖气不热，孩子上课都穿着棉袄，有的手都冻了。"],
      ["已联系学校后勤和供热单位。"],
      ["已维修暖气管道并排气，教室温度恢复到18度以上。"],
      months=WINTER, weight=1.0),
    # 住房与维修 ------------------------------------------------------------------------
    T("housing",
      ["老房子漏雨，担心不安全", "{group}土坯房墙体开裂"],
      ["{group}有一户独居老人住的土坯房{since}屋顶漏雨，墙也有裂缝，担心下雨天塌了。",
       "{spot}几间老房子墙体开裂得越来越大，雨季快到了，住着人很危险。"],
      ["已组织人员上门查看，初步判断存在安全隐患。", "已申请住建部门进行房屋安全鉴定。"],
      ["房屋已鉴定并列入危房改造名单，先期已修补屋顶，雨季前已临时安置。",
       "已对墙体进行加固，屋顶重新铺设防水层。"],
      where="village", weight=2.0, urgent=0.15),
    T("housing",
      ["危房改造补贴什么时候发", "农房改造补助没到账"],
      ["去年申请的农村危房改造，房子已经盖好了，补贴到现在还没有发下来。"],
      ["已与县住建局核对补助拨付进度。"],
      ["经核实补助资金已拨付至乡镇，已发放到户，已告知群众查询方式。"],
      where="village", dispatch_to="housing", weight=1.0, impact=False),
    T("housing",
      ["楼道墙皮脱落", "{bld}楼道扶手松了"],
      ["{bld}的楼道墙皮大块脱落，扶手也松了，老人上下楼很危险。"],
      ["已到现场查看，需申请维修资金。"],
      ["已由社区协调维修资金，楼道已修补粉刷，扶手重新固定。"],
      where="community", weight=1.5),
    T("housing",
      ["老旧小区改造停工", "改造工地挖开了没人管"],
      ["我们小区的老旧小区改造{since}开工，路面挖开后就一直停着，进出很不方便，下雨全是泥。"],
      ["已联系施工单位了解停工原因。"],
      ["已督促施工方增加人员，路面已恢复，剩余工程按计划推进。"],
      where="community", dispatch_to="housing", weight=1.0),
    T("housing",
      ["{bld}顶楼漏水", "屋面防水坏了"],
      ["{bld}顶层的屋面防水坏了，一下雨家里天花板就往下滴水，墙都发霉了。"],
      ["已申请使用专项维修资金。"],
      ["已使用专项维修资金修补屋面防水，经雨天检验不再渗漏。"],
      where="community", weight=1.5),
    # 电力供暖燃气 ----------------------------------------------------------------------
    T("energy",
      ["{group}经常停电", "{v}三天两头停电"],
      ["{group}{since}隔三差五就停电，有时候一停就是大半天，冰箱里的东西都坏了。"],
      ["已派员检查线路，发现配电变压器负荷过高。"],
      ["已更换老化的配电变压器，并对线路进行了改造，近期未再停电。"],
      where="village", weight=2.0, urgent=0.2),
    T("energy",
      ["电压不稳，电器带不动", "晚上电压太低"],
      ["晚上用电高峰时电压很低，电灯一闪一闪的，水泵和电磁炉都用不了。"],
      ["已在高峰时段测量电压，末端电压偏低。"],
      ["已增容配电变压器并调整分接头，末端电压恢复正常。"],
      where="village", weight=1.2),
    T("energy",
      ["{spot}电线杆倾斜", "电线垂得太低"],
      ["{spot}的一根电线杆{since}倾斜得很厉害，电线垂得很低，担心倒下来伤人。"],
      ["已设置警示标志。"],
      ["已扶正电杆并加固拉线，抬高了导线高度。"],
      where="village", weight=0.8, urgent=0.5),
    T("energy",
      ["暖气不热，室温不达标", "{bld}供暖温度不达标", "家里暖气不热"],
      ["今年供暖以后，{bld}家里暖气一直不热，室内温度只有{temp}度，老人孩子都冻感冒了。",
       "{bld}的暖气上面热下面凉，屋里只有{temp}度，找了物业说不归他们管。"],
      ["供热公司已上门测温，室温{temp}度。", "已安排对单元立管排气。"],
      ["供热公司已上门排气并调整阀门，经复测室温已达到18度以上。",
       "已清洗堵塞的管道过滤器，暖气恢复正常，室温20度。"],
      where="community", months=HEATING, weight=4.0),
    T("energy",
      ["供暖管道漏水", "{bld}地下室暖气管漏了"],
      ["{bld}地下室的供暖管道漏水，热水流了一地，楼上几户暖气都不热了。"],
      ["已关闭该单元供暖阀门，组织抢修。"],
      ["已更换漏水管段，恢复供暖。"],
      where="community", months=HEATING, weight=1.0, urgent=0.4),
    T("energy",
      ["闻到燃气味，担心泄漏", "{spot}燃气有异味"],
      ["{spot}一带闻到很浓的燃气味，担心泄漏，请尽快派人检查。",
       "{bld}楼道里燃气味很大，担心泄漏，请尽快派人检查。"],
      ["燃气公司已到场检测。"],
      ["燃气公司检测发现一处接头松动，已紧固，复测无泄漏。"],
      where="community", weight=0.6, urgent=0.8),
    T("energy",
      ["煤改电取暖补贴没到账", "取暖电价补贴什么时候发"],
      ["我们家去年参加了煤改电，今年的取暖电价补贴还没有到账，想问一下什么时候发。"],
      ["已与县供电公司核对补贴名单。"],
      ["经核实补贴已批复，已发放到户。"],
      where="village", months=HEATING, weight=1.0),
    # 环境卫生 --------------------------------------------------------------------------
    T("environment",
      ["{spot}垃圾堆放没人清运", "{spot}的垃圾好几天没人拉"],
      ["{spot}的垃圾{since}就没人拉走，堆得越来越多，天一热臭气熏天，苍蝇蚊子很多。",
       "{spot}垃圾桶早就满了，垃圾堆到路边，被狗扒得到处都是。"],
      ["已安排保洁人员清运。", "已与镇环卫所协调增加清运频次。"],
      ["已清运垃圾，增设垃圾桶{n}个，明确了每两天清运一次。",
       "垃圾已全部清运，已安排保洁员每天巡查。"],
      weight=3.0),
    T("environment",
      ["生活污水直排{ditch}", "{spot}污水横流"],
      ["{spot}的污水直接排到{ditch}里，水都发黑了，夏天味道很大。"],
      ["已排查污水来源。"],
      ["已疏通排水管道，并将散排污水接入污水收集管网。"],
      weight=1.5),
    T("environment",
      ["夜间施工噪音扰民", "{spot}工地半夜还在施工"],
      ["{spot}的工地每天晚上十一点以后还在施工，搅拌机和渣土车的声音吵得人睡不着觉。"],
      ["已到现场检查施工许可情况。"],
      ["已责令施工单位停止夜间施工，夜间确需施工须办理许可并提前公示。"],
      where="community", dispatch_to="ecology", weight=1.5),
    T("environment",
      ["养殖场粪污臭味大", "{spot}养殖场污染"],
      ["{spot}有一个养殖场，粪便随意堆放，刮风的时候整个村子都是臭味。"],
      ["已会同生态环境部门现场检查。"],
      ["已督促养殖场建设粪污贮存设施，粪污定期清运还田。"],
      where="village", dispatch_to="ecology", weight=1.0),
    T("environment",
      ["{spot}公共厕所太脏", "公厕没人打扫"],
      ["{spot}的公共厕所{since}没人打扫，门也坏了，根本进不去人。"],
      ["已联系保洁公司。"],
      ["已安排专人每天保洁，维修了厕所门和冲水设备。"],
      weight=1.2),
    T("environment",
      ["有人焚烧秸秆冒黑烟", "{spot}焚烧垃圾"],
      ["{spot}经常有人焚烧垃圾和秸秆，黑烟很大，呛得人喘不过气。"],
      ["已安排人员现场劝导。"],
      ["已清理焚烧点，在村内广播宣传禁烧规定，并加强巡查。"],
      months=(9, 10, 11), weight=1.2),
    T("environment",
      ["{spot}渠道里全是垃圾", "水渠被垃圾堵了"],
      ["{spot}的渠道里漂满了塑料袋和垃圾，水也不流了，味道难闻。"],
      ["已组织人员清理。"],
      ["已组织人员清理渠道垃圾约{n}车，并设置了禁止倾倒提示牌。"],
      where="village", weight=1.0),
    # 就业与社会保障 --------------------------------------------------------------------
    T("employment",
      ["工地拖欠工资", "打工{n}个月工钱没拿到"],
      ["在县城一个工地干了{n}个月，施工单位一直拖着不发工资，一共{money}元，好几个工友都一样。"],
      ["县劳动保障监察大队已约谈施工单位。"],
      ["经劳动保障监察督办，拖欠工资已全部结清。"],
      dispatch_to="hr", weight=1.5),
    T("employment",
      ["老人养老金认证不会操作", "养老金资格认证能否上门"],
      ["家里老人腿脚不方便，养老金资格认证不会在手机上弄，想问能不能上门办理。"],
      [],
      ["已安排工作人员上门为老人完成认证。"],
      weight=1.2),
    T("employment",
      ["想参加免费技能培训", "技能培训怎么报名"],
      ["想学个电焊或者挖掘机的技术，听说县里有免费培训，不知道怎么报名。"],
      [],
      ["已告知近期培训班报名时间和地点，并帮助完成报名。"],
      weight=1.0),
    T("employment",
      ["低保申请没有消息", "低保审批进度咨询"],
      ["家里申请低保两个多月了，一直没消息，想问一下进展。"],
      ["已核实申请材料。"],
      ["申请材料齐全，已进入公示，公示期满后按月发放。"],
      weight=0.8),
    T("employment",
      ["社保卡补办要跑县城", "镇上能不能补办社保卡"],
      ["社保卡丢了，补办要去县城，能不能在镇上办。"],
      [],
      ["镇便民服务中心已开通社保卡补办业务，已为群众办理。"],
      weight=0.8),
    # 农业与畜牧 ------------------------------------------------------------------------
    T("agriculture",
      ["灌溉用水轮不到", "{group}浇地排不上"],
      ["{group}的地在渠尾，每次轮灌都轮不到我们，{crop}已经旱得打蔫了。"],
      ["已与水管站核对轮灌计划。"],
      ["已调整轮灌顺序，安排渠尾地块优先灌溉。"],
      where="village", months=SUMMER, weight=2.0),
    T("agriculture",
      ["{spot}灌溉渠堵了", "渠道淤积过不了水"],
      ["{spot}的灌溉渠被淤泥和杂草堵住了，水过不去，下游的地都浇不上。"],
      ["已组织人员清淤。"],
      ["已组织清淤{n2}米，渠道恢复通水。"],
      where="village", weight=1.5),
    T("agriculture",
      ["羊不吃草，想请兽医", "牲畜生病了"],
      ["村里好几户的羊{since}不吃草、流鼻涕，想请兽医来看看，担心是传染病。"],
      ["畜牧兽医站已上门诊治并采样。"],
      ["已诊治并采样检测，排除了重大动物疫病，已开展圈舍消毒。"],
      where="village", weight=1.2, urgent=0.3),
    T("agriculture",
      ["种粮补贴没到", "{crop}补贴什么时候发"],
      ["今年种{crop}的补贴还没有到，邻村都已经发了。"],
      ["已核对补贴发放名册。"],
      ["经核实因银行卡信息有误导致延迟，已更正，补贴已到账。"],
      where="village", weight=1.0),
    T("agriculture",
      ["秋收排不上收割机", "农机作业不够用"],
      ["{v}秋收时联合收割机排不上队，{crop}熟了收不回来。"],
      [],
      ["已协调农机合作社调派两台收割机到村作业。"],
      where="village", months=(9, 10), weight=1.5),
    T("agriculture",
      ["{crop}地里虫害严重", "庄稼生虫了不知道打什么药"],
      ["{crop}地里出现大面积虫害，叶子都被吃光了，不知道用什么药。"],
      ["农技人员已到田间查看。"],
      ["农技人员已到田间指导防治，发放了药剂。"],
      where="village", months=(5, 6, 7, 8), weight=1.2),
    # 灾害救助 --------------------------------------------------------------------------
    T("disaster",
      ["暴雨后房屋进水", "{group}被淹了"],
      ["昨晚暴雨，{group}地势低，好几户院子和房子进水了，水深到膝盖。"],
      ["已组织人员抽水，转移了{n}户群众。"],
      ["积水已排除，受灾群众已妥善安置并发放了救灾物资。"],
      months=(6, 7, 8), weight=2.0, urgent=0.8),
    T("disaster",
      ["冰雹打坏了庄稼", "受灾了有没有救助"],
      ["前天下午下了一场冰雹，{group}的{crop}基本被打光了，想问有没有救助。"],
      ["已组织核灾定损。"],
      ["已完成核灾定损，受灾户已纳入救助名单，救助资金已发放。"],
      where="village", months=(5, 6, 7, 8), weight=1.5),
    T("disaster",
      ["后山有滚石隐患", "{spot}山体裂缝"],
      ["{spot}后山{since}出现裂缝，下雨后有石头滚下来，下面住着人家。"],
      ["已设置警示标志，转移了受威胁群众。"],
      ["地灾专家已现场勘查，已列入治理项目，危岩已清除。"],
      where="village", weight=0.8, urgent=0.6),
    T("disaster",
      ["困难户冬季取暖煤没着落", "冬季取暖救助"],
      ["{group}几户困难老人冬季取暖煤还没有着落，天越来越冷了。"],
      ["已核实困难群众名单。"],
      ["已为困难群众发放冬季取暖煤每户{n}吨。"],
      where="village", months=(11, 12, 1, 2), weight=1.5),
    # 纠纷调解 --------------------------------------------------------------------------
    T("disputes",
      ["宅基地边界纠纷", "和邻居的地界说不清"],
      ["和邻居家因为宅基地边界的问题{since}一直有矛盾，希望村里或者司法所帮忙调解。"],
      ["已约双方当事人到场了解情况。"],
      ["经人民调解委员会调解，双方达成调解协议，已重新确定界桩。"],
      where="village", weight=1.5),
    T("disputes",
      ["土地流转费没有付", "合作社拖欠流转费"],
      ["土地流转给合作社后，今年的流转费一直没有付，合作社说资金困难。"],
      ["已约谈合作社负责人。"],
      ["经调解，合作社已支付流转费，剩余部分签订了付款计划。"],
      where="village", weight=1.0),
    T("disputes",
      ["楼上装修太吵", "邻居装修噪音矛盾"],
      ["楼上邻居装修{since}每天早上七点就开始砸墙，周末也不停，沟通了几次没用。"],
      ["社区调解员已上门了解情况。"],
      ["经社区调解，双方约定施工时间为工作日8:00-12:00、14:00-18:00。"],
      where="community", weight=1.5),
    T("disputes",
      ["浇地用水起了争执", "两个组抢水"],
      ["两个组之间因为浇地用水的先后顺序吵起来了，差点动手。"],
      ["已组织双方协商。"],
      ["已组织双方协商，制定了轮灌表并张贴公示。"],
      where="village", months=SUMMER, weight=1.0),
    T("disputes",
      ["包工头少给工钱", "工钱结算有争议"],
      ["给包工头干活，说好的工钱少给了{money}元，找了几次都推脱。"],
      ["已约双方调解。"],
      ["经调解，包工头已补足工钱。"],
      weight=1.0),
    # 物业管理 --------------------------------------------------------------------------
    T("property",
      ["{bld}电梯经常坏", "电梯困人，物业不管"],
      ["{bld}的电梯{since}坏了好几次，上个星期还困过人，物业只是简单修一下。"],
      ["已通知物业联系电梯维保单位。"],
      ["已督促物业联系维保单位全面检修，更换了门机控制板，电梯已通过安全检验。"],
      where="community", weight=2.0, urgent=0.3),
    T("property",
      ["小区乱停车堵了消防通道", "消防通道被占"],
      ["小区里乱停车很严重，消防通道都被堵了，上次救护车进不来。"],
      ["已约谈物业。"],
      ["物业已施划停车位和消防通道标线，安排保安巡查。"],
      where="community", weight=1.5),
    T("property",
      ["交了物业费没服务", "物业不作为"],
      ["交了物业费，但小区垃圾没人清，绿化没人管，大门门禁坏了也不修。"],
      ["社区已约谈物业公司。"],
      ["物业公司已限期整改，垃圾已清运，门禁已修复。"],
      where="community", weight=1.5),
    T("property",
      ["楼道堆放杂物和电动车", "楼道里给电动车充电"],
      ["{bld}楼道里堆满了杂物和电动车，还有人在楼道里拉线充电，太危险了。"],
      ["已通知住户限期清理。"],
      ["已组织清理楼道杂物，在小区设置了集中充电桩。"],
      where="community", weight=1.2),
    # 其他 ------------------------------------------------------------------------------
    T("other",
      ["村务公开栏好久没更新", "想了解村集体收支"],
      ["村务公开栏{since}就没有更新，想了解一下今年村集体收入和支出情况。"],
      [],
      ["村委会已更新村务公开栏，公布了上半年财务收支明细。"],
      where="village", weight=1.0),
    T("other",
      ["便民服务中心中午没人", "办事白跑一趟"],
      ["去镇便民服务中心办事，中午十二点到下午三点都没人，只能白跑一趟。"],
      [],
      ["已实行午间轮岗，中午有专人值守。"],
      weight=0.8),
    T("other",
      ["广场舞音响太吵", "{spot}晚上太吵"],
      ["{spot}每天晚上跳广场舞音响开得很大，一直到十点多。"],
      ["已与广场舞队伍负责人沟通。"],
      ["已协调降低音量，约定晚上九点前结束。"],
      where="community", weight=1.0),
    T("other",
      ["流浪狗追人", "{spot}流浪狗太多"],
      ["{spot}有几条流浪狗经常追着人跑，前几天咬伤了一个小孩。"],
      ["已联系相关部门。"],
      ["已联系相关部门对流浪犬进行收容。"],
      weight=0.8, urgent=0.4),
    T("other",
      ["村里没有快递点", "收快递要跑镇上"],
      ["{v}没有快递收发点，收个快递要去镇上。"],
      [],
      ["已协调在村便民超市设立快递代收点。"],
      where="village", weight=0.8),
    T("other",
      ["老年优待证怎么办", "办老年证咨询"],
      ["老人想办老年优待证，不知道在哪里办，需要什么材料。"],
      [],
      ["已告知办理地点和材料，网格员已代为办理。"],
      weight=0.6),
    # In English ------------------------------------------------------------------------
    T("water", ["No running water since Monday"],
      ["Our building ({bld}) has had no running water since Monday. The property manager says "
       "it is a problem with the main. Please tell us when it will be fixed."],
      ["已联系县供水公司核实。"], ["市政管网抢修完毕，已恢复供水。已用英文短信告知反映人。"],
      where="community", language="en", weight=0.5),
    T("roads", ["Street light out near the school gate"],
      ["The street light outside the school gate has been out for a week. Children walk home "
       "in the dark."],
      [], ["已更换灯头，路灯恢复照明。"], language="en", weight=0.5),
    T("environment", ["Rubbish not collected for days"],
      ["The bins near {spot} have not been emptied for five days and it smells badly."],
      [], ["垃圾已清运，已明确每日清运。"], language="en", weight=0.5),
    T("energy", ["Radiators barely warm"],
      ["Since the heating season started the radiators in our flat are barely warm; the room "
       "is about {temp} °C."],
      ["供热公司已上门测温。"], ["已排气并调整阀门，室温已达到19度。"],
      where="community", months=HEATING, language="en", weight=0.5),
    # ئۇيغۇرچە --------------------------------------------------------------------------
    T("water", ["سۇ توختاپ قالدى", "سۇ كەلمەيۋاتىدۇ"],
      ["كەنتىمىزدە ئۈچ كۈندىن بېرى سۇ يوق. ياشانغانلار ۋە بالىلارغا ناھايىتى قىيىن"
       " بولۇۋاتىدۇ. تېزدىن ھەل قىلىپ بېرىشىڭلارنى سورايمىز."],
      ["已安排管水员查看。"], ["已修复漏点并恢复供水，已用维吾尔语电话告知反映人。"],
      where="village", language="ug", weight=0.6),
    T("roads", ["يولدا چوڭ ئورەك بار"],
      ["كەنتنىڭ شەرق تەرىپىدىكى يولدا چوڭ ئورەكلەر بار، كەچتە ماڭغاندا خەتەرلىك. رېمونت"
       " قىلىپ بېرىشىڭلارنى ئۈمىد قىلىمىز."],
      [], ["已修补路面坑槽。"], where="village", language="ug", weight=0.6),
    T("roads", ["كوچا چىرىغى يانمايدۇ"],
      ["مەكتەپ ئالدىدىكى كوچا چىرىغى بىر ھەپتىدىن بېرى يانمايدۇ، بالىلار كەچتە قاراڭغۇدا"
       " ئۆيگە قايتىدۇ."],
      [], ["已更换损坏的灯具，路灯恢复照明。"], language="ug", weight=0.5),
    T("health", ["كەنت دوختۇرخانىسىدا دورا يوق"],
      ["كەنت دوختۇرخانىسىدا قان بېسىمى دورىسى تۈگەپ قاپتۇ، ياشانغانلار بازارغا بېرىشقا"
       " مەجبۇر بولۇۋاتىدۇ."],
      [], ["已协调卫生院补齐常用药品。"], where="village", language="ug", weight=0.4),
    T("agriculture", ["ئېرىقتا سۇ يوق"],
      ["ئېرىق لاي بىلەن تولۇپ قالغان، ئېتىزلارغا سۇ بارمايۋاتىدۇ. تازىلاپ بېرىشىڭلارنى"
       " سورايمىز."],
      ["已组织清淤。"], ["渠道清淤完毕，恢复通水。"], where="village", language="ug", weight=0.5),
    T("energy", ["توك دائىم ئۈزۈلۈپ قالىدۇ"],
      ["مەھەللىمىزدە توك دائىم ئۈزۈلۈپ قالىدۇ، كەچتە نەچچە سائەتلەپ توك بولمايدۇ."],
      ["已派员检查线路。"], ["已更换老化线路，供电恢复稳定。"], where="village", language="ug",
      weight=0.4),
    T("education", ["مەكتەپ ماشىنىسى بەك بالدۇر كېلىدۇ"],
      ["مەكتەپ ماشىنىسى ئەتىگەن سائەت ئالتە يېرىمدا كېلىدۇ، بالىلار قاراڭغۇدا ساقلايدۇ."
       " ۋاقىتنى كېچىكتۈرۈپ بەرسەڭلار."],
      [], ["已协调校车发车时间推迟至七点十分。"], language="ug", months=SCHOOL_TERM,
      weight=0.4),
]  # fmt: skip

# Requests an operator declines: about a person or a private matter, not a public service.
DECLINED: list[Template] = [
    T("other", ["邻居家孩子天天哭闹"],
      ["隔壁邻居家的孩子天天晚上哭闹，希望你们管一管他们家。"], [], [],
      decline_reasons=("反映的是他人家庭私事，不属于公共服务范围。如确有噪音扰民，可向社区人民调解委员会申请调解。",)),
    T("other", ["想查一个人的电话"],
      ["想找以前的一个同学，知道他在{v}住过，能不能帮忙查一下他的电话和住址。"], [], [],
      decline_reasons=("本平台只受理公共服务事项，不提供任何个人信息查询。",)),
    T("other", ["网购衣服质量差不给退"],
      ["在网上买的羽绒服质量太差，商家不给退货。"], [], [],
      decline_reasons=("属于消费纠纷，不属于本平台受理范围，请通过全国12315平台投诉。",)),
    T("employment", ["帮亲戚安排个工作"],
      ["我侄子大学毕业在家，想请你们帮忙给他安排个工作。"], [], [],
      decline_reasons=("属于个人事务，不属于公共服务范围。可关注县人社局发布的招聘信息和就业服务。",)),
    T("disputes", ["朋友借钱不还"],
      ["借给朋友{money}元，说好半年还，现在一年多了也不还。"], [], [],
      decline_reasons=("属于个人之间的民事借贷纠纷，不属于公共服务范围，建议通过法院诉讼解决。",)),
    T("other", ["测试"], ["测试一下，看看能不能提交。"], [], [],
      decline_reasons=("测试信息，不予受理。",)),
    T("roads", ["邻县的省道坑太多"],
      ["去邻县那段省道坑很多，开车很危险。"], [], [],
      decline_reasons=("该路段属于邻县管辖，不在本县受理范围，已告知群众向邻县12345热线反映。",)),
    T("other", ["反映某人经常很晚回家"],
      ["{v}有个人每天很晚才回家，不知道在干什么，请你们调查一下。"], [], [],
      decline_reasons=("反映的是他人的个人行为，不属于公共服务范围，本平台不予受理。",)),
]  # fmt: skip

# --- the pieces around the problem ----------------------------------------------------

OPENERS = ["", "", "", "您好，", "你好，", "反映一个问题：", "麻烦反映个事，"]
OPENERS_VILLAGE = ["我是{v}的村民，", "我是{v}{group}的，"]
OPENERS_COMMUNITY = ["我是{v}的居民，", "我住在{v}{bld}，"]
PHONE_PREFIX = ["来电人反映：", "群众来电反映：", "来电人称："]
VISIT_PREFIX = ["网格员走访时群众反映：", "入户走访时村民提出：", "网格员巡查发现："]
MEETING_PREFIX = ["村民议事会上群众提出：", "居民恳谈会上居民反映：", "党员群众议事会上提出："]
HISTORY = ["前几天打过电话，还没有人处理。", "这个问题去年就有，一直没彻底解决。"]
HISTORY_VILLAGE = ["之前给村里反映过两次，说会来看，到现在也没人来。"]
HISTORY_COMMUNITY = ["找过物业和社区，都说不归自己管。", "跟物业说了好几次，一直拖着。"]
ASKS = [
    "希望尽快派人来看看。", "请有关部门尽快处理，谢谢！", "麻烦帮忙协调解决一下。",
    "希望能给个答复。", "盼尽快解决。", "谢谢！", "",
]  # fmt: skip
PHONE_ASKS = ["来电人希望尽快处理。", "来电人要求给予答复。", "来电人希望相关部门尽快解决。"]

IMPACTS = {
    "water": ["家里老人孩子用水很不方便。", "做饭洗衣都成问题。"],
    "roads": ["晚上出行很危险。", "天天从这里过，太不安全了。"],
    "housing": ["住着很不放心。"],
    "environment": ["附近住户都受不了。", "孩子们经常在旁边玩，很不卫生。"],
    "energy": ["家里有老人和小孩，很担心。"],
    "property": ["住户意见很大。"],
}

SPOTS_VILLAGE = [
    "村东头", "村西头", "村南口", "村北头", "村委会门口", "村小学门口", "文化广场",
    "卫生室门前", "老磨坊那边", "大渠边上", "村口大柳树下", "养殖小区旁边", "新村安置点",
    "通往镇上的岔路口", "第二村民小组巷道", "粮站后面的巷子", "果园路口", "村级活动中心后面",
]  # fmt: skip
SPOTS_COMMUNITY = [
    "小区东门", "小区南门", "3号楼前", "12号楼后面", "菜市场旁边", "幼儿园门口",
    "社区广场", "老年活动中心旁", "地下车库入口", "临街商铺后面", "小区中心花园",
    "公交站台", "体育公园东侧", "农贸市场后街",
]  # fmt: skip
SPOTS_EN = ["the market", "the school gate", "the bus stop", "Block 3", "the square"]
GROUP_NUMERALS = "一二三四五六七八"
WEEKDAYS = "一二三四五六日"
SINCE = ["前天", "上周{wd}", "这几天", "{n}天前", "昨天晚上", "半个月前", "上个月底", "从上周开始"]
SCHOOLS = ["镇中心小学", "{v}小学", "县第二小学", "县实验幼儿园", "镇中学"]
CROPS = ["玉米", "小麦", "棉花", "红枣", "葡萄", "核桃", "辣椒", "甜菜"]
DITCHES = ["排水沟", "大渠", "河道", "涝池"]
PIPES = ["主管道", "入户支管", "管道接头", "老旧铸铁管"]
MONEY = ["3800", "6500", "12000", "2400", "9600", "15800", "4200"]

GENERIC_NOTES = [
    "已到现场核实情况，正在制定处理方案。",
    "已安排专人负责，正在处理中。",
    "已协调相关人员，预计{n}个工作日内完成。",
]
CONTACT_NOTES = ["已与反映人电话沟通，说明了处理进度。", "已电话联系反映人，约定上门查看时间。"]
LATE_NOTES = [
    "需要协调资金和施工队伍，正在对接。",
    "涉及多个部门，正在协调中。",
    "材料还没有到货，正在催促。",
]
ESCALATION_REASONS = [
    "维修费用超出村级承受能力，申请上级协调资金。",
    "涉及跨村协调，需要上级统筹解决。",
    "需要专业队伍处置，村里没有能力完成。",
    "问题反复出现，需要上级部门统一解决。",
]
SUPERVISOR_ESCALATION_REASONS = [
    "督办：该问题群众多次反映，请上级单位牵头办理。",
    "督办：处理进度缓慢，提级办理。",
]
TOP_DISPATCH_NOTES = ["请牵头办理，按期反馈。", "督办件，请限期办结并回复群众。"]
RETURN_REASONS = [
    "该事项不属于本单位职责，应由{right}负责，请重新派单。",
    "经核实不在本辖区，请改派{right}。",
    "该问题需{right}处理，本单位无权限，退回重新分派。",
]
WITHDRAW_REASONS = [
    "问题已经自己解决了，不用麻烦了。",
    "刚才已经有人来修好了，撤回。",
    "提交重复了，撤回这一条。",
    "家里人已经去镇上办好了。",
    "",
]
WITHDRAW_BY_OPERATOR = ["来电人来电要求撤回：问题已解决。", "群众表示不再需要处理，代为撤回。"]
GOOD_COMMENTS = [
    "很满意，处理得很及时。", "问题解决了，谢谢！", "工作人员态度很好。", "来得很快，点赞。",
    "", "", "",
]  # fmt: skip
OK_COMMENTS = ["解决了，就是来得有点晚。", "基本解决了，希望以后能提前通知。", "还行吧。"]
BAD_COMMENTS = [
    "根本没解决，问题还在。", "来了看了一眼就走了。", "修了两天又坏了。",
    "说修好了，其实没有。",
]  # fmt: skip
CALLBACK_COMMENTS = ["回访：群众表示满意。", "电话回访，群众对处理结果满意。"]

SURNAMES_RESIDENT = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯于董程曹袁邓许"
ADDRESS_FORMS = ["先生", "女士", "大爷", "阿姨", "师傅"]
UYGHUR_RESIDENT_NAMES = ["ئابدۇللا ئاكا", "گۈلنۇر ھەدە", "مەمەتجان", "ئايگۈل", "تۇرسۇن ئاكا"]
ENGLISH_RESIDENT_NAMES = ["Mr Li", "Ms Wang", "Alex Chen"]


class Slots(dict):
    """A dict that fills the braces of a template; filled once per case."""

    def render(self, text: str) -> str:
        return text.format_map(self)


def make_slots(rng: random.Random, *, area_name: str, kind: str) -> Slots:
    n = rng.randint(2, 6)
    slots = Slots(
        v=area_name,
        spot=rng.choice(SPOTS_COMMUNITY if kind == "community" else SPOTS_VILLAGE),
        group=f"第{rng.choice(GROUP_NUMERALS)}村民小组",
        bld=f"{rng.randint(1, 24)}号楼{rng.randint(1, 4)}单元",
        n=n,
        n2=rng.choice([12, 18, 25, 30, 40, 60, 85, 120]),
        wd=rng.choice(WEEKDAYS[:5]),
        temp=rng.randint(12, 16),
        hh=rng.randint(14, 20),
        crop=rng.choice(CROPS),
        ditch=rng.choice(DITCHES),
        pipe=rng.choice(PIPES),
        money=rng.choice(MONEY),
    )
    if kind == "community":
        slots["group"] = slots["bld"]
    slots["since"] = slots.render(rng.choice(SINCE))
    slots["school"] = slots.render(rng.choice(SCHOOLS))
    return slots


def compose_description(
    rng: random.Random, template: Template, slots: Slots, *, kind: str, channel: str
) -> str:
    """The resident's words (or the operator's record of a call) for one case."""
    if template.language == "en":
        english = Slots(slots, spot=rng.choice(SPOTS_EN), bld=f"Block {rng.randint(1, 24)}")
        return english.render(rng.choice(template.cores))
    core = slots.render(rng.choice(template.cores))
    if template.language != "zh-hans":
        return core
    parts: list[str] = []
    if channel == "phone":
        parts.append(rng.choice(PHONE_PREFIX))
    elif channel == "visit":
        parts.append(rng.choice(VISIT_PREFIX))
    elif channel == "meeting":
        parts.append(rng.choice(MEETING_PREFIX))
    else:
        opener_pool = OPENERS + (OPENERS_COMMUNITY if kind == "community" else OPENERS_VILLAGE)
        parts.append(slots.render(rng.choice(opener_pool)))
    parts.append(core)
    impacts = IMPACTS.get(template.cat)
    if impacts and template.impact and rng.random() < 0.45:
        parts.append(rng.choice(impacts))
    if rng.random() < 0.2:
        local = HISTORY_COMMUNITY if kind == "community" else HISTORY_VILLAGE
        parts.append(rng.choice(HISTORY + local))
    parts.append(rng.choice(PHONE_ASKS) if channel == "phone" else rng.choice(ASKS))
    return "".join(parts)


def compose_title(rng: random.Random, template: Template, slots: Slots) -> str:
    return slots.render(rng.choice(template.titles))


def resident_name(rng: random.Random, language: str) -> str:
    if language == "ug":
        return rng.choice(UYGHUR_RESIDENT_NAMES)
    if language == "en":
        return rng.choice(ENGLISH_RESIDENT_NAMES)
    return rng.choice(SURNAMES_RESIDENT) + rng.choice(ADDRESS_FORMS)


def phone_number(rng: random.Random) -> str:
    prefix = rng.choice(["130", "131", "132", "135", "136", "137", "138", "139", "150", "151",
                         "152", "157", "158", "159", "177", "180", "181", "186", "187", "189",
                         "199"])  # fmt: skip
    return f"{prefix} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"
